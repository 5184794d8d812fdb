// The crosscheck chat page: asks /chat, shows each answer as a card with its figures and quotes,
// opens cited articles in a side panel, and adds articles through /articles.
//
// Every piece of text from the server (answers, quotes, articles) goes into the page as text
// nodes (`el` below, `textContent`), never as HTML.
"use strict";

(() => {
  const KEY_STORAGE = "crosscheck.apiKey";
  const LIBRARY_PAGE = 100; // articles the library shows at a time ("More" shows the next ones)
  const $ = (id) => document.getElementById(id);

  const state = {
    conversationId: null,
    busy: false,
    generation: 0, // bumped by "New conversation" so late answers of the old one are dropped
    articles: new Map(), // doc_id -> Promise of the article
    readerToken: 0,
    readerReturn: null, // where focus goes back when the panel closes
    activeChip: null,
    keyPrompt: null,
    sessionKey: "", // the key when localStorage is unavailable
  };

  // ---- DOM -------------------------------------------------------------------------------

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // ---- API -------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status, type) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  function storedKey() {
    try {
      return localStorage.getItem(KEY_STORAGE) || "";
    } catch {
      return "";
    }
  }

  function storeKey(key) {
    try {
      localStorage.setItem(KEY_STORAGE, key);
    } catch {
      // Storage is off (private mode): the key lasts for this page only.
    }
    state.sessionKey = key;
  }

  /** Call the API; on 401 ask for a key and retry. Resolves to the JSON body. */
  async function api(method, path, body) {
    for (let attempt = 0; ; attempt += 1) {
      const headers = { Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const key = storedKey() || state.sessionKey || "";
      if (key) headers.Authorization = `Bearer ${key}`;
      let response;
      try {
        response = await fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ApiError(
          "Could not reach the crosscheck server. Check that it is running and try again.",
          0,
          "network",
        );
      }
      const data = await response.json().catch(() => null);
      if (response.ok && data) return data;
      const detail =
        data && data.error && data.error.message
          ? data.error
          : { message: `The server answered ${response.status} ${response.statusText}`.trim(), type: "http" };
      if (response.status === 401 && attempt < 3 && (await promptForKey(Boolean(key)))) continue;
      throw new ApiError(detail.message, response.status, detail.type);
    }
  }

  /** Ask for an API key; resolves to whether one was saved. Concurrent callers share one prompt. */
  function promptForKey(hadKey) {
    if (state.keyPrompt) return state.keyPrompt;
    const dialog = $("key-dialog");
    $("key-reason").textContent = hadKey
      ? "The saved API key was not accepted. Paste the right one to continue."
      : "This server asks for an API key. Paste it to continue.";
    $("key-input").value = "";
    state.keyPrompt = new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          state.keyPrompt = null;
          const value = $("key-input").value.trim();
          if (dialog.returnValue === "save" && value) {
            storeKey(value);
            resolve(true);
          } else {
            resolve(false);
          }
        },
        { once: true },
      );
    });
    dialog.returnValue = "";
    dialog.showModal();
    $("key-input").focus();
    return state.keyPrompt;
  }

  function getArticle(docId) {
    if (!state.articles.has(docId)) {
      const request = api("GET", `articles/${encodeURIComponent(docId)}`);
      request.catch(() => state.articles.delete(docId));
      state.articles.set(docId, request);
    }
    return state.articles.get(docId);
  }

  // ---- Formatting ------------------------------------------------------------------------

  const dateFormat = new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const numberFormat = new Intl.NumberFormat();

  function formatDate(iso) {
    const date = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
  }

  /** Who published an article, for the line under its heading (its title, else its name):
   * the outlet, else the URL's domain (the name of an article with a URL and a title), else
   * "Outlet unknown"; null when the heading is the outlet already. */
  function byline(article) {
    if (article.source) return article.title ? article.source : null;
    return article.url && article.title ? article.name : "Outlet unknown";
  }

  function dateElement(iso) {
    return iso ? el("time", { datetime: iso }, formatDate(iso)) : null;
  }

  /** The unit to print after a figure's text, or "" when the text already names it. */
  function unitFor(figure) {
    let unit = figure.unit || "";
    if (!unit) return "";
    const text = figure.text.toLowerCase();
    const last = unit.split(" ").pop().toLowerCase();
    if (text.includes(last.replace(/s$/, ""))) return "";
    if (figure.value === 1 && figure.qualifier === "exact") {
      unit = unit === "people" ? "person" : unit.replace(/([^s])s$/, "$1");
    }
    // "thousands of people", not "thousands people"
    if (figure.qualifier === "vague" && /[a-z]s$/i.test(figure.text)) unit = `of ${unit}`;
    return unit;
  }

  /** What happened to what a figure counts: its action as written ("wounded"), else its
   * measure beyond the unit ("injure" of "people injure"). */
  function actionFor(figure) {
    if (figure.action) return figure.action;
    const measure = figure.measure || "";
    const unit = figure.unit || "";
    return unit && measure.startsWith(unit) ? measure.slice(unit.length).trim() : measure;
  }

  /** The value in digits, shown when the text spells it out ("one" -> 1). */
  function numberHint(figure) {
    if (/\d/.test(figure.text) || figure.qualifier === "vague") return null;
    return el(
      "span",
      { class: "figure-number", title: "The value in digits" },
      numberFormat.format(figure.value),
    );
  }

  // ---- Citations and chips ---------------------------------------------------------------

  function chip(citation) {
    return el(
      "button",
      {
        type: "button",
        class: "chip",
        dataset: { n: String(citation.n), docId: citation.doc_id },
        "aria-label": `Source ${citation.n}: ${citation.name}. Open the article`,
        title: `${citation.name}: “${citation.quote}”`,
        onclick: (event) => openCitation(citation, event.currentTarget),
      },
      String(citation.n),
    );
  }

  /** A line of answer text with its [n] markers as chips. */
  function withChips(text, citations) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(/\[(\d+)\]/g)) {
      const citation = citations.get(Number(match[1]));
      if (!citation) continue;
      if (match.index > last) parts.push(text.slice(last, match.index));
      parts.push(chip(citation));
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  // ---- Answer cards ----------------------------------------------------------------------
  //
  // A card is built from the answer's structure (kind, headline, groups, relations, notes,
  // quotes, related); the composed `answer` text is never taken apart.

  const RECONCILED = {
    sum_of_parts: "The parts add up to the total",
    unit_conversion: "The same amount in other units",
    bound: "Within the bound",
    range: "Within the range",
  };

  function renderAnswer(data) {
    const citations = new Map(data.citations.map((c) => [c.n, c]));
    const figures = new Map(data.figures.map((f) => [f.id, f]));
    return el(
      "article",
      {
        class: `answer${data.conflict ? " is-conflict" : ""}`,
        "aria-label": `Answer to: ${data.question}`,
        dataset: { conflict: String(data.conflict), kind: data.kind, conversationId: data.conversation_id },
      },
      renderVerdict(data),
      el("p", { class: "headline" }, withChips(data.headline, citations)),
      data.groups.length ? renderGroups(data, figures, citations) : null,
      data.notes.length ? renderNotes(data.notes, citations) : null,
      data.quotes.length ? renderPassages(data, citations) : null,
      data.related.length ? renderRelated(data.related) : null,
    );
  }

  function renderVerdict(data) {
    const docs = new Set(data.figures.flatMap((f) => f.citations.map((c) => c.doc_id)));
    const count = docs.size === 1 ? "1 article" : `${docs.size} articles`;
    let badge;
    if (data.conflict) {
      badge = el("span", { class: "badge badge-conflict" }, el("span", { "aria-hidden": "true" }, "≠"), "Sources disagree");
    } else if (data.kind === "none") {
      badge = el("span", { class: "badge badge-none" }, data.quotes.length ? "No answer · closest passages" : "No answer");
    } else if (data.kind !== "figures") {
      badge = el("span", { class: "badge badge-quotes" }, data.kind === "names" ? "Names in the sources" : "In the sources' words");
    } else if (docs.size > 1) {
      badge = el("span", { class: "badge badge-agree" }, el("span", { "aria-hidden": "true" }, "✓"), "Sources agree");
    } else {
      badge = el("span", { class: "badge badge-single" }, "One source");
    }
    return el(
      "div",
      { class: "verdict" },
      badge,
      data.figures.length ? el("span", { class: "verdict-count" }, `from ${count}`) : null,
    );
  }

  /** The groups of compatible values: the groups in a conflict side by side ("vs" between
   * two that cannot both be true), then the groups nothing contradicts. */
  function renderGroups(data, figures, citations) {
    const clashes = new Set();
    for (const relation of data.relations) {
      if (relation.kind !== "conflict") continue;
      const [a, b] = relation.groups;
      clashes.add(`${a} ${b}`).add(`${b} ${a}`);
    }
    const inConflict = (group) => data.relations.some((r) => r.kind === "conflict" && r.groups.includes(group.id));
    const clashing = data.groups.filter(inConflict);
    const others = data.groups.filter((g) => !inConflict(g));
    const reconciled = data.relations.filter((r) => r.kind === "reconciled");
    // The values that clash (a group can also hold values that agree with both sides).
    const clashingFigures = new Set(
      data.relations.filter((r) => r.kind === "conflict").flatMap((r) => r.figures.flat()),
    );
    const card = (group) => renderGroup(group, figures, citations, reconciled, clashingFigures);
    const children = [];
    if (clashing.length) {
      const row = [];
      clashing.forEach((group, index) => {
        if (index > 0) {
          const previous = clashing[index - 1].id;
          row.push(
            clashes.has(`${previous} ${group.id}`)
              ? el("div", { class: "versus", "aria-label": "cannot both be true with" }, "vs")
              : el("div", { class: "versus versus-soft", "aria-label": "and" }, "&"),
          );
        }
        row.push(card(group));
      });
      children.push(
        el("div", { class: "figures figures-conflict", role: "group", "aria-label": "Figures that cannot all be true" }, row),
      );
    }
    if (others.length) {
      children.push(el("div", { class: "figures", role: "group", "aria-label": "Figures" }, others.map(card)));
    }
    return children;
  }

  /** One group: its values (that can all be true together), and why values that only look
   * different agree. */
  function renderGroup(group, figures, citations, reconciled, clashingFigures) {
    const members = group.figures.map((id) => figures.get(id)).filter(Boolean);
    const ids = new Set(group.figures);
    const why = reconciled.filter((r) => r.figures.some((id) => ids.has(id)));
    return el(
      "div",
      {
        class: `group${members.length > 1 ? " is-several" : ""}`,
        dataset: { group: group.id },
      },
      members.map((figure) => renderFigure(figure, clashingFigures.has(figure.id), citations)),
      why.length
        ? el(
            "ul",
            { class: "reconciled", "aria-label": "Why these values agree" },
            why.map((r) => el("li", { dataset: { rule: r.rule } }, el("span", { class: "reconciled-rule" }, RECONCILED[r.rule] || "Consistent"))),
          )
        : null,
    );
  }

  function renderFigure(figure, clashing, citations) {
    const action = actionFor(figure);
    return el(
      "div",
      { class: `figure${clashing ? " is-clashing" : ""}`, dataset: { value: String(figure.value), figure: figure.id } },
      el(
        "p",
        { class: "figure-value" },
        el("span", { class: "figure-text" }, figure.text),
        " ",
        el("span", { class: "figure-unit" }, unitFor(figure)),
        numberHint(figure),
      ),
      action ? el("p", { class: "figure-measure" }, action) : null,
      el(
        "ul",
        { class: "sources", "aria-label": "Outlets giving this figure" },
        figure.reports.map((report) =>
          el(
            "li",
            { class: "source" },
            el("span", { class: "outlet" }, report.name),
            " ",
            report.text !== figure.text ? el("span", { class: "wording" }, `“${report.text}” `) : null,
            report.claimant ? el("span", { class: "claimant" }, `citing ${report.claimant} `) : null,
            chip(citations.get(report.n)),
          ),
        ),
      ),
    );
  }

  function renderNotes(notes, citations) {
    return el(
      "ul",
      { class: "notes", "aria-label": "Notes" },
      notes.map((note) => el("li", { class: `note note-${note.kind}`, dataset: { kind: note.kind } }, withChips(note.text, citations))),
    );
  }

  function renderRelated(related) {
    return el(
      "section",
      { class: "related", "aria-label": "Related figures" },
      el("h3", {}, "Related figures"),
      el(
        "ul",
        {},
        related.map((figure) => {
          const outlets = [...new Set(figure.citations.map((c) => c.name))];
          const action = actionFor(figure);
          return el(
            "li",
            { class: "related-item", dataset: { value: String(figure.value) } },
            el("span", { class: "related-figure" }, figure.phrase || [figure.text, unitFor(figure)].filter(Boolean).join(" ")),
            action ? ` ${action}` : null,
            el("span", { class: "related-outlets" }, ` · ${outlets.join(", ")} `),
            figure.citations.map(chip),
          );
        }),
      ),
    );
  }

  /** The sentences a names, quotes or no-answer card shows, in the answer's order, each under
   * its own citation number: the number the [n] markers of the text use. */
  function renderPassages(data, citations) {
    const label = data.kind === "none" ? "Closest passages" : "Quoted passages";
    return el(
      "ol",
      { class: "passages", "aria-label": label },
      data.quotes
        .map((n) => citations.get(n))
        .filter(Boolean)
        .map((c) =>
          el(
            "li",
            { class: "passage", dataset: { n: String(c.n) } },
            el("span", { class: "passage-n" }, chip(c)),
            el("blockquote", {}, c.quote),
            el("p", { class: "passage-source" }, c.name, c.date ? " · " : null, dateElement(c.date)),
          ),
        ),
    );
  }

  function renderError(error, retry) {
    return el(
      "div",
      { class: "answer answer-error", role: "alert" },
      el("p", { class: "error-title" }, error.status === 503 ? "Not ready yet" : "That did not work"),
      el("p", { class: "error-message" }, error.message),
      retry ? el("button", { type: "button", class: "button small", onclick: retry }, "Try again") : null,
    );
  }

  // ---- Chat ------------------------------------------------------------------------------

  function updateComposer() {
    $("send").disabled = state.busy;
    $("conversation-state").textContent = state.conversationId
      ? "Follow-ups continue this conversation."
      : "New conversation.";
    $("question").placeholder = state.conversationId
      ? "Ask a follow-up question"
      : "Ask a question about the coverage";
  }

  function scrollLogTo(node) {
    node.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
  }

  async function ask(text, turn) {
    const message = text.trim();
    if (!message || state.busy) return;
    const generation = state.generation;
    state.busy = true;
    updateComposer();
    $("welcome").hidden = true;
    if (!turn) {
      turn = el("div", { class: "turn" }, el("div", { class: "question-bubble" }, el("p", {}, message)));
      $("log").append(turn);
    }
    const pending = el(
      "div",
      { class: "answer answer-pending", "aria-busy": "true" },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      "Checking the sources…",
    );
    turn.append(pending);
    scrollLogTo(turn);
    let card;
    try {
      const body = { message };
      if (state.conversationId) body.conversation_id = state.conversationId;
      const data = await api("POST", "chat", body);
      if (generation !== state.generation) return;
      state.conversationId = data.conversation_id;
      card = renderAnswer(data);
    } catch (error) {
      if (generation !== state.generation) return;
      card = renderError(error, () => {
        card.remove();
        ask(message, turn);
      });
    } finally {
      if (generation === state.generation) {
        state.busy = false;
        updateComposer();
      }
    }
    pending.replaceWith(card);
    scrollLogTo(turn);
  }

  function newConversation() {
    state.generation += 1;
    state.conversationId = null;
    state.busy = false;
    for (const turn of $("log").querySelectorAll(".turn")) turn.remove();
    $("welcome").hidden = false;
    closeReader(false);
    updateComposer();
    const question = $("question");
    question.value = "";
    autosize(question);
    question.focus();
  }

  /** Fit the question box to its text up to its CSS max-height; a scrollbar only beyond it.
   * scrollHeight leaves out the borders, which a border-box height includes. */
  function autosize(textarea) {
    textarea.style.height = "auto";
    const borders = textarea.offsetHeight - textarea.clientHeight;
    const wanted = textarea.scrollHeight + borders;
    const max = parseFloat(getComputedStyle(textarea).maxHeight) || Infinity;
    textarea.style.height = `${Math.min(wanted, max)}px`;
    textarea.style.overflowY = wanted > max ? "auto" : "hidden";
  }

  function submitQuestion() {
    const question = $("question");
    if (state.busy || !question.value.trim()) return;
    const text = question.value;
    question.value = "";
    autosize(question);
    ask(text);
  }

  // ---- Side panel ------------------------------------------------------------------------

  /** The UTF-16 index of a code-point offset (the server counts code points, JS strings
   * count UTF-16 units; they differ only after characters outside the BMP). */
  function unitOffset(text, codePoints) {
    if (!/[\uD800-\uDFFF]/.test(text)) return codePoints;
    let unit = 0;
    for (let i = 0; i < codePoints && unit < text.length; i += 1) {
      unit += text.codePointAt(unit) > 0xffff ? 2 : 1;
    }
    return unit;
  }

  function quoteSpan(text, citation) {
    let start = unitOffset(text, citation.start);
    let end = unitOffset(text, citation.end);
    if (text.slice(start, end) !== citation.quote) {
      const found = text.indexOf(citation.quote);
      if (found >= 0) [start, end] = [found, found + citation.quote.length];
    }
    return [start, end];
  }

  function setActiveChip(button) {
    if (state.activeChip) {
      state.activeChip.classList.remove("is-active");
      state.activeChip.removeAttribute("aria-current");
    }
    state.activeChip = button;
    if (button) {
      button.classList.add("is-active");
      button.setAttribute("aria-current", "true");
    }
  }

  function openReader(trigger) {
    state.readerReturn = trigger || null;
    $("reader").hidden = false;
    $("layout").classList.add("is-reading");
  }

  function closeReader(restoreFocus = true) {
    state.readerToken += 1;
    $("reader").hidden = true;
    $("layout").classList.remove("is-reading");
    setActiveChip(null);
    const back = state.readerReturn;
    state.readerReturn = null;
    if (restoreFocus && back && document.contains(back)) back.focus();
  }

  function showReader(kicker, title, meta, note, body) {
    $("reader-kicker").textContent = kicker;
    $("reader-title").textContent = title;
    $("reader-meta").replaceChildren(...meta);
    $("reader-note").replaceChildren(...note);
    $("reader-body").replaceChildren(...body);
    $("reader-scroll").scrollTop = 0;
  }

  function readerLoading(kicker) {
    showReader(kicker, "Loading…", [], [], [el("div", { class: "reader-loading" }, el("span", { class: "spinner", "aria-hidden": "true" }), "Fetching the article")]);
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function articleMeta(article) {
    // An article with a URL but no outlet is named by the link to it, below.
    const outlet = article.url && !article.source ? null : byline(article);
    const parts = [
      outlet ? el("span", { class: article.source ? "meta-outlet" : "meta-outlet unknown" }, outlet) : null,
      article.date ? dateElement(article.date) : null,
    ].filter(Boolean);
    const url = safeUrl(article.url);
    if (url) {
      let host = url;
      try {
        host = new URL(url).hostname;
      } catch {
        // keep the whole URL as the link text
      }
      parts.push(el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, `${host} ↗`));
    }
    return parts.flatMap((part, index) => (index ? [el("span", { class: "sep", "aria-hidden": "true" }, "·"), part] : [part]));
  }

  function renderArticle(article, citation) {
    const text = article.text;
    const note = [];
    let body;
    let mark = null;
    if (citation) {
      const [start, end] = quoteSpan(text, citation);
      mark = el("mark", { class: "quote-highlight", id: "reader-quote" }, text.slice(start, end));
      note.push(
        el("span", { class: "note-swatch", "aria-hidden": "true" }),
        el("span", {}, citation.claimant ? `Highlighted: the quoted sentence, crediting ${citation.claimant}.` : "Highlighted: the quoted sentence."),
        el("button", { type: "button", class: "link-button", onclick: () => mark.scrollIntoView({ block: "center" }) }, "Scroll to it"),
      );
      body = el("div", { class: "article-text" }, text.slice(0, start), mark, text.slice(end));
    } else {
      body = el("div", { class: "article-text" }, text);
    }
    showReader(citation ? `Source ${citation.n}` : "Article", article.title || article.name, articleMeta(article), note, [body]);
    $("reader-title").focus({ preventScroll: true });
    if (mark) mark.scrollIntoView({ block: "center" });
  }

  function readerError(error) {
    showReader("Article", "Could not open the article", [], [], [el("p", { class: "reader-error", role: "alert" }, error.message)]);
  }

  async function openCitation(citation, trigger) {
    setActiveChip(trigger);
    openReader(trigger);
    const token = ++state.readerToken;
    readerLoading(`Source ${citation.n}`);
    try {
      const article = await getArticle(citation.doc_id);
      if (token === state.readerToken) renderArticle(article, citation);
    } catch (error) {
      if (token === state.readerToken) readerError(error);
    }
  }

  async function openArticle(docId, trigger) {
    setActiveChip(null);
    openReader(trigger);
    const token = ++state.readerToken;
    readerLoading("Article");
    try {
      const article = await getArticle(docId);
      if (token === state.readerToken) renderArticle(article, null);
    } catch (error) {
      if (token === state.readerToken) readerError(error);
    }
  }

  function articleListItem(a) {
    return el(
      "li",
      {},
      el(
        "button",
        { type: "button", class: "article-link", onclick: (event) => openArticle(a.doc_id, event.currentTarget) },
        el("span", { class: "article-link-title" }, a.title || a.name),
        el(
          "span",
          { class: "article-link-meta" },
          [byline(a), a.date ? formatDate(a.date) : null, `${numberFormat.format(a.length)} characters`]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
    );
  }

  function articleCount(total) {
    return `${numberFormat.format(total)} ${total === 1 ? "article" : "articles"}`;
  }

  /** One page of the article list (the API's page: articles, next, total). */
  function articlePage(after) {
    const query = new URLSearchParams({ limit: String(LIBRARY_PAGE) });
    if (after !== null) query.set("after", after);
    return api("GET", `articles?${query}`);
  }

  async function showArticleList(trigger) {
    setActiveChip(null);
    openReader(trigger);
    const token = ++state.readerToken;
    readerLoading("Articles");
    try {
      const first = await articlePage(null);
      if (token !== state.readerToken) return;
      let next = first.next;
      const list = el("ul", { class: "article-list" }, first.articles.map(articleListItem));
      const status = el("p", { class: "reader-error", role: "alert" });
      const more = el("button", { type: "button", class: "button", id: "more-articles" }, "More");
      const footer = el("div", { class: "article-list-more" }, more, status);
      more.addEventListener("click", async () => {
        more.disabled = true;
        status.replaceChildren();
        try {
          const page = await articlePage(next);
          if (token !== state.readerToken) return;
          const items = page.articles.map(articleListItem);
          list.append(...items);
          $("reader-title").textContent = articleCount(page.total);
          next = page.next;
          if (items.length) items[0].querySelector("button").focus();
          if (next === null) footer.remove();
        } catch (error) {
          if (token === state.readerToken) status.replaceChildren(error.message);
        } finally {
          more.disabled = false;
        }
      });
      showReader("Library", articleCount(first.total), [el("span", {}, "Everything answers can cite.")], [], next === null ? [list] : [list, footer]);
      $("reader-title").focus({ preventScroll: true });
    } catch (error) {
      if (token === state.readerToken) readerError(error);
    }
  }

  // ---- Add article -----------------------------------------------------------------------

  function addStatus(kind, ...children) {
    const status = $("add-status");
    status.dataset.state = kind;
    delete status.dataset.docId;
    status.replaceChildren(...children);
  }

  function openAddDialog() {
    addStatus("");
    $("add-dialog").showModal();
    $("add-text").focus();
  }

  async function submitArticle(event) {
    event.preventDefault();
    const form = $("add-form");
    const text = $("add-text").value;
    if (!text.trim()) {
      addStatus("error", "Paste the article's text first.");
      $("add-text").focus();
      return;
    }
    const body = { text };
    for (const [field, input] of [
      ["title", "add-title-input"],
      ["source", "add-source"],
      ["date", "add-date"],
      ["url", "add-url"],
      ["doc_id", "add-doc-id"],
    ]) {
      const value = $(input).value.trim();
      if (value) body[field] = value;
    }
    const submit = $("submit-add");
    submit.disabled = true;
    addStatus("busy", el("span", { class: "spinner", "aria-hidden": "true" }), "Indexing the article…");
    try {
      const added = await api("POST", "articles", body);
      state.articles.clear();
      form.reset();
      addStatus(
        "ok",
        el("strong", {}, added.replaced ? "Replaced" : "Added"),
        " ",
        el("span", { class: "added-name" }, added.title || added.name),
        el(
          "span",
          { class: "added-meta" },
          [
            byline(added),
            added.date ? formatDate(added.date) : null,
            `${numberFormat.format(added.length)} characters`,
          ]
            .filter(Boolean)
            .join(" · "),
        ),
        el(
          "button",
          {
            type: "button",
            class: "link-button",
            onclick: () => {
              $("add-dialog").close();
              openArticle(added.doc_id, $("open-add"));
            },
          },
          "Open it",
        ),
      );
      $("add-status").dataset.docId = added.doc_id;
      $("add-status").scrollIntoView({ block: "nearest" });
    } catch (error) {
      addStatus("error", el("strong", {}, "Not added:"), error.message);
      $("add-status").scrollIntoView({ block: "nearest" });
    } finally {
      submit.disabled = false;
    }
  }

  // ---- Wiring ----------------------------------------------------------------------------

  function init() {
    const question = $("question");
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      submitQuestion();
    });
    question.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitQuestion();
      }
    });
    question.addEventListener("input", () => autosize(question));
    for (const example of document.querySelectorAll(".example")) {
      example.addEventListener("click", () => ask(example.textContent));
    }
    $("new-conversation").addEventListener("click", newConversation);
    $("show-articles").addEventListener("click", (event) => showArticleList(event.currentTarget));
    $("close-reader").addEventListener("click", () => closeReader());
    $("open-add").addEventListener("click", openAddDialog);
    $("close-add").addEventListener("click", () => $("add-dialog").close());
    $("cancel-add").addEventListener("click", () => $("add-dialog").close());
    $("add-form").addEventListener("submit", submitArticle);
    $("cancel-key").addEventListener("click", () => $("key-dialog").close("cancel"));
    $("save-key").value = "save";
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("reader").hidden && !document.querySelector("dialog[open]")) {
        closeReader();
      }
    });
    updateComposer();
  }

  init();
})();
