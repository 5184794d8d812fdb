"""Find the parts of an article that are page furniture, not reporting.

Boilerplate stays in ``Article.text`` so that every offset keeps pointing at the original file;
it is only marked, and sentences and chunks skip it.

Web clutter is found by general rules of how news pages are printed, never by the wording of one
story: captions and photo credits ("... Dado Ruvic/Reuters", "Image caption ...", "(Photo: X)"),
gallery counters ("Hide Caption 3 of 12"), bylines and update stamps, "Read more" links, calls
to share, follow or subscribe, short lines with no verb (headings, labels), and lines an outlet
prints on the pages of unrelated stories (``mark_outlet_templates``, which needs the corpus).
"""

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from corpus.sentences import split_sentences
from corpus.spans import Boilerplate, BoilerplateKind

if TYPE_CHECKING:
    from corpus.article import Article

# A leading "date 2025-07-04" header, as some scrapers write it, possibly on the same line as the
# first sentence.
DATE_HEADER = re.compile(r"\A\s*(date[ \t]+(\d{4}-\d{2}-\d{2}))\b[ \t]*", re.IGNORECASE)

_RATING_WIDGET = re.compile(r"How would you rate the content you just read\?[^\n]*", re.IGNORECASE)
_COMMENTS_LINE = re.compile(
    r"(?:comments?|post a comment|leave a (?:comment|reply)|add a comment|"
    r"share(?: this(?: article| story)?)?|advertisement)",
    re.IGNORECASE,
)
# A repeated line shorter than this is more likely a real short line said twice ("Kyiv") than a
# photo caption printed twice.
_MIN_REPEATED_LINE = 40
# A line of one character ("Δ", "*") or two symbols ("--") is a widget remnant, not reporting,
# and so is a rule drawn with one symbol ("___", "-----").
_MAX_STRAY_SYMBOL = 2
_RULE_LINE = re.compile(r"([^\w\s])\1{2,}")

# Names, as credits and bylines print them: capitalised words ("Dado", "T.", "Jin-man", "USA").
# A full stop belongs to a word only inside a name ("Patrick T. Fallon"), never at the line's end.
_UPPER = "A-ZÀ-ÖØ-Þ"
_CAP = rf"[{_UPPER}](?:[\w'’&-]|\.(?!\s*$))*"
# Spaces are written "[ ]" so that the pieces keep them inside verbose patterns.
_NAME = rf"{_CAP}(?:[ ]{_CAP}){{0,3}}"
_PERSON = rf"{_CAP}(?:[ ]{_CAP}){{1,3}}"
_NAMES = rf"{_NAME}(?:[ ]in[ ]{_NAME})?(?:(?:,|[ ]and|[ ]&|,[ ]and)[ ]{_NAME}(?:[ ]in[ ]{_NAME})?)*"
# News agencies and picture libraries, as credits print them.
_AGENCY = (
    r"(?:AFP|AP|EPA(?:-EFE)?|Getty(?:[ ]Images)?|GETTY(?:[ ]IMAGES)?|PA|Reuters|REUTERS|Rex"
    r"(?:[ ]Features)?|REX|Shutterstock|Alamy|Xinhua|XINHUA|KCNA|Sputnik|WireImage|Invision|"
    r"Landov|Splash[ ]News|ZUMA|Zuma|Anadolu|DPA|dpa|UPI|Pool|SIPA|Sipa)"
)

# A credit closing a caption, or standing alone; tried at the start of each of a line's last words.
_CREDIT = re.compile(
    rf"""(?:
        # "Photograph: Matt York/AP", "(Photo: X)", "Photo / Getty Images", "[Photo/Agencies]"
        [(\[]?(?:Photo|Photograph|Photographer|Picture|Image|Pic|Credit|Photo\ credit|
            Image\ credit)s?\ ?[:/]\ ?[^:!?()\[\]]{{0,80}}[)\]]?
        # "Dado Ruvic/Reuters", "(Patrick Smith/Getty Images)", "Toru Yamanaka /AFP/Getty Images"
      | \(?{_PERSON}(?:\ ?/\ ?{_NAME})+(?:\ via\ {_NAME})?(?:,\ FILE)?\)?
        # "Jim Spellman/WireImage via Getty Images", "Kyodo/AP"
      | \(?{_NAME}(?:\ ?/\ ?{_NAME})*\ ?/\ ?{_AGENCY}(?:\ via\ {_NAME})?\)?
        # "REUTERS/Marcos Brindicci", "/REUTERS/Gleb Garanich"
      | /?{_AGENCY}\ ?/\ ?{_NAME}
        # "(Getty)", "(AFP/File)", "(AP Photo/Evan Vucci)", "(Christian Smith/AP/PA)"
      | \((?:[^()/]{{0,40}}/)*{_AGENCY}(?:\ Photo)?(?:/[^()]{{0,40}})?\)
        # "©jgd (AFP)", "© Getty"
      | ©[^©]{{0,80}}
        # "(file photo)", "(Courtesy of Cincinnati Zoo)", "Chart on phone image via Shutterstock"
      | \((?:file\ )?(?:photo|picture|image)\)
      | \(?Courtesy(?:\ of)?\ [^()]{{1,80}}\)?
      | (?:image|photo|picture)s?\ via\ {_NAME}
    )""",
    re.VERBOSE,
)
# A credit is at most this many words, within this many characters of the line's end.
_MAX_CREDIT_TOKENS = 16
_CREDIT_WINDOW = 200
_WORD = re.compile(r"\S+")
# A credit printed before its caption (tabloids): "Getty Images Chicago Cubs celebrate ...".
_CREDIT_HEAD = re.compile(
    rf"""(?:
        ©
      | (?:[{_UPPER}][{_UPPER}\ ]*•)?(?:Getty\ Images|GETTY(?:\ IMAGES)?|Getty(?=\ ?-))
            (?:\ ?-\ ?(?:Getty(?:\ Images)?|Contributor))?\ (?=[{_UPPER}])
      | (?:Handout|AFP\ or\ licensors|AP:Associated\ Press|Splash\ News|USA\ TODAY\ Sports|
            Usa\ Today\ Sports)(?:\ ?-\ ?Getty)?\ (?=[{_UPPER}])
      | {_NAME}\ ?/\ ?{_AGENCY}\ (?=[{_UPPER}])
    )""",
    re.VERBOSE,
)
# These also name things that are not credits ("EPA" the agency, "Getty Oil"), so they count as
# a leading credit only on a caption, which does not end like a sentence, on a page that has
# several captions so printed.
_AMBIGUOUS_CREDIT_HEAD = re.compile(rf"(?:Reuters|REUTERS|AFP|EPA|AP|PA|Getty) (?=[{_UPPER}])")
_MIN_AMBIGUOUS_CREDIT_HEADS = 2
_CAPTION_HEAD = re.compile(
    r"""(?:
        (?:Image|Media|Video)\ (?:copyright|caption)\b
      | Media\ playback\ is\ (?:unsupported|not\ supported)
      | Enlarge\ (?:this\ )?(?i:image)\b
      | FILE\ ?PHOTO\b | FILE\ ?[-–—:][ ]
      | Photos?:[ ]
      | Facebook\ Twitter\ Pinterest[ ]
        # AP's "In this Dec. 13, 2016, file photo, ..." and "This undated photo provided by ..."
      | (?:In\ this|This)\ (?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\ )?
            (?:[A-Z][a-z]{2,8}\.?\ \d{1,2},\ )?\d{4},?\ |undated\ |handout\ |file\ |aerial\ )*
            (?:photo(?:graph)?|image|picture)
            (?=,|\ (?:provided|released|made\ available|taken|distributed|obtained|shows|from)\b)
    )""",
    re.VERBOSE,
)
# A credit standing alone is a few names ("Jim Spellman/WireImage via Getty Images"); a longer
# line that opens like one ("Photos: ...") is a caption.
_MAX_CREDIT_WORDS = 8
# Lines that only hold the place of a picture or video.
_MEDIA_PLACEHOLDER = re.compile(
    r"(?:Photo|Photos|Video|Image|Gallery|Watch|VIDEO|PHOTOS|YouTube|Twitter|Instagram)"
)
_CREDIT_ALONE = re.compile(rf"(?:{_AGENCY}|Source: \S+(?: \S+){{0,3}}|Image copyright .{{1,40}})")

_GALLERY_WIDGET = re.compile(r"Hide Caption \d+ of \d+|Play slideshow|Full Screen Autoplay")
_GALLERY_LINE = re.compile(
    r"Slideshow \(\d+ (?:Images?|Photos?)\)\Z|(?:\d+|\+) show all\b|(?:next|prev|previous)\Z",
    re.IGNORECASE,
)
# "1/16 ...", "3 of 12": a gallery's counter, when the article has several with one total.
_COUNTER = re.compile(r"(\d{1,3}) ?(?:/|of) ?(\d{1,3})\b(?!/)")  # not a date, "04/09/87"

_BY_LINE = re.compile(
    rf"By:? (?:the )?(?:{_PERSON}|{_AGENCY})(?:(?:,| and| &|, and) {_NAME})*"
    rf"(?: ?[,|/–—-] ?{_NAME})?(?: (?:Updated|Published|Posted)\b.{{0,60}})?"
)
_STAMP = re.compile(
    r"(?:(?:Last )?[Uu]pdated|UPDATED|Published|Posted|First published)"
    r"(?::| at| on)? (?:\d|(?:[A-Z][a-z]{2,8}\.? )?\d|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b)"
    r".{0,60}"
)
_SOURCE_STAMP = re.compile(r"[^|]{1,40}\| ?(?:Updated|Published|Posted) ?:? ?\d[^|]{0,40}")

_READ_MORE = re.compile(
    r"""(?:
        (?i:read\ more|also\ read|see\ also|read\ next)\b
      | (?:More|MORE|Related|RELATED|Related\ (?:coverage|content|stories|articles?|links?)|
            Recommended|More\ from\ [^:]{1,40}|For\ more\ [^:]{1,40}|Most\ (?:read|popular))\ ?:
      | \[[^\[\]:]+\]\Z
      | (?:[^:]{1,40}:\ ?)?(?:https?://|www\.)\S+(?:\ (?:and\ )?(?:https?://|www\.)\S+)*\Z
      | .{1,200}\ Read\ more\Z
    )""",
    re.VERBOSE,
)
_PROMO_LINE = re.compile(
    r"""(?:
        (?i:advertisement)(?:\W+(?i:continue\ reading)\b.{0,30})?
      | Continue\ reading\b.{0,40}
      | Newsletter\ Sign[- ]?[Uu]p\b.*
      | (?i:scroll\ (?:down|below|for)\b.{0,20}\bvideos?\b.{0,20})
      | (?i:share(?:\ (?:this|on|via|article|story|page|post))*(?:\ (?:facebook|twitter|whatsapp|
            linkedin|pinterest|reddit|e-?mail|messenger))+)
      | (?i:share\ this(?:\ (?:article|story|page|post))?)
      | Facebook\ Twitter\ (?:Pinterest|Email|WhatsApp)(?:\ \w+){0,3}
      | Your\ browser\ does\ not\ support\b.*
      | Read\ or\ Share\ this\ story\b.*
      | Now\ Playing:?
    )\Z""",
    re.VERBOSE,
)

# Sentences of furniture that close a line of reporting ("... on Netflix. Additional reporting by
# Steve Greene."), or make up a whole line.
_FURNITURE_SENTENCES: tuple[tuple[re.Pattern[str], BoilerplateKind], ...] = (
    (
        re.compile(
            rf"(?:{_NAMES}|The {_NAME}) contributed (?:reporting )?(?:to this "
            rf"(?:report|story|article|post)(?: from [^.]{{1,60}})?|from {_NAME})\.?"
        ),
        BoilerplateKind.BYLINE,
    ),
    (
        re.compile(
            rf"\(?(?:(?:Additional )?[Rr]eporting|Editing|Writing|Compiled|Edited|Written) by "
            rf"{_NAMES}(?: ?[;,] ?(?:(?:[Aa]dditional )?[Rr]eporting|[Ee]diting|[Ww]riting) by "
            rf"{_NAMES})*\)?\.?"
        ),
        BoilerplateKind.BYLINE,
    ),
    (
        re.compile(r"\(?Additional reporting (?:by|from) (?:agencies|wires|wire services)\)?\.?"),
        BoilerplateKind.BYLINE,
    ),
    (re.compile(rf"[-–—]? ?With assistance (?:by|from) {_NAMES}\.?"), BoilerplateKind.BYLINE),
    (re.compile(rf"{_NAME} (?:writes|reports) for (?:the )?{_NAME}\.?"), BoilerplateKind.BYLINE),
    (
        re.compile(
            r"This (?:article|story|post|report) (?:was )?(?:originally|first) "
            r"(?:appeared|published|ran) (?:on|in) .{1,80}"
        ),
        BoilerplateKind.BYLINE,
    ),
    (
        re.compile(r"This (?:article|story|post|report) has been updated\b.{0,120}"),
        BoilerplateKind.BYLINE,
    ),
    (
        re.compile(
            rf"(?:{_NAME} can be reached at|Contact (?:the )?(?:writer|author|reporter)s? at|"
            r"E-?mail(?::| at| us at)) ?\S+@\S+.{0,120}"
        ),
        BoilerplateKind.BYLINE,
    ),
    (re.compile(r"E-?mail the (?:author|writer|reporter)s?\.?"), BoilerplateKind.BYLINE),
    (re.compile(r"Information from: .{1,100}"), BoilerplateKind.BYLINE),
    (
        re.compile(
            r"(?:Follow|Like) (?:us|me|(?:\S+ ){0,5}\S+) on "
            r"(?:Twitter|Facebook|Instagram|LinkedIn|YouTube|Snapchat|Flipboard)\b.{0,40}"
        ),
        BoilerplateKind.PROMO,
    ),
    (
        re.compile(
            r"(?:Sign up|Subscribe|Get the|Keep up with)\b.{0,100}"
            r"\b(?i:newsletters?|e-?mails?|alerts|updates|subscrib\w*)\b.{0,60}"
        ),
        BoilerplateKind.PROMO,
    ),
    (re.compile(r"(?i:subscribe)(?: (?:now|today))?[.!]?"), BoilerplateKind.PROMO),
    (re.compile(r"Click here\b.{0,100}"), BoilerplateKind.PROMO),
    (re.compile(r"Got a (?:story|tip)\b.{0,150}"), BoilerplateKind.PROMO),
    (
        re.compile(r"We pay for (?:your )?(?:stories|videos|pictures|photos)\b.{0,100}"),
        BoilerplateKind.PROMO,
    ),
    (
        re.compile(r"If you (?:like|liked|enjoyed) this (?:story|article|post),? share\b.{0,60}"),
        BoilerplateKind.PROMO,
    ),
    (
        re.compile(r"(?:Copyright ?(?:©|\(c\)|\d{4})|© ?\d{4}).{0,200}|All rights reserved\.?"),
        BoilerplateKind.PROMO,
    ),
    (
        re.compile(
            r"This material may not be published, broadcast, rewritten,? or redistributed\.?"
        ),
        BoilerplateKind.PROMO,
    ),
)

# Every furniture sentence holds one of these words near the line's end: lines without any are
# not split to be read.
_FURNITURE_WORDS = (
    "contributed|eporting|Editing|Writing|Compiled|Edited|Written|assistance|writes for|"
    "reports for|This |reached at|Contact|mail|Information from|Follow|Like|Sign up|ubscribe|"
    "SUBSCRIBE|Get the|Keep up|Click here|Got a|We pay|If you|Copyright|©|All rights"
).split("|")
_FURNITURE_WINDOW = 300

# The verbless-line rule is an English heuristic, so it looks only at short lines of Latin
# letters. A line that ends like a sentence ("Nobody was hurt."), holds a figure, or quotes
# someone is never verbless clutter, whatever its words.
_MAX_VERBLESS_WORDS = 8
# A verbless line next to another short line without a full stop is a line of verse or of a list.
_MAX_SHORT_LINE_WORDS = 12
_VERBS = frozenset(
    "am is are was were be been being has have had having do does did done will would shall "
    "should can could may might must cannot said says say told tells tell asked asks ask got "
    "gets get goes went go gone made makes make took takes take came comes come saw sees see "
    "knew knows know thought thinks think gave gives give left keeps kept let lets".split()
)
_PRONOUN_IS = frozenset("it's he's she's that's what's there's here's who's where's".split())
_TITLE_FUNCTION_WORDS = frozenset(
    "a an the and but or nor for of in on at to from by via with into over as vs v".split()
)

# Text wrapped at a fixed width (a newswire's) has several lines, none of them long.
_MIN_WRAPPED_LINES = 4
_MAX_WRAPPED_WIDTH = 100

# Template lines of an outlet: long enough not to be a short line any story might hold, printed
# on at least this many unrelated stories of the outlet, and on at least this share of its pages
# (a sentence that recurs by chance in a big archive is rare; a template is on many pages).
_MIN_TEMPLATE_LINE = 20
_MIN_TEMPLATE_STORIES = 3
_MIN_TEMPLATE_SHARE = 0.05
# Two pages of one outlet that share more lines than a template prints, or most of the shorter
# page, are versions of one story.
_MAX_TEMPLATE_LINES_SHARED = 3


def find_boilerplate(text: str) -> tuple[Boilerplate, ...]:
    """Return the boilerplate spans of ``text``, sorted by start and not overlapping.

    Marked: a leading ``date YYYY-MM-DD`` header, lines repeated verbatim (photo captions printed
    twice; the first copy stays), "How would you rate the content you just read?" widgets,
    "Comments" / "Post a Comment" lines, lines of one or two stray symbols or of one symbol
    repeated, and web clutter lines: captions, photo credits, gallery counters, bylines, "Read
    more" links, calls to share or subscribe, and short verbless lines between paragraphs (see
    ``BoilerplateKind``). Bylines and calls to act that close a line of reporting are cut off
    it, sentence by sentence.

    No clutter is marked in hard-wrapped text (its lines are pieces of sentences), nor in a text
    that would have nothing else left (a gallery extracted without its story keeps its captions).
    """
    found: list[Boilerplate] = []
    header = DATE_HEADER.match(text)
    if header:
        found.append(Boilerplate(header.start(1), header.end(), BoilerplateKind.DATE_HEADER))
    for match in _RATING_WIDGET.finditer(text):
        found.append(Boilerplate(match.start(), match.end(), BoilerplateKind.RATING_WIDGET))
    spans = list(_line_spans(text))
    lines = [text[start:end] for start, end in spans]
    page = _read_page(lines)
    clutter: list[Boilerplate] = []
    seen: set[str] = set()
    for number, (start, end) in enumerate(spans):
        line = lines[number]
        widget = _widget_kind(line)
        if widget is not None:
            found.append(Boilerplate(start, end, widget))
            continue
        if not page.wrapped:
            clutter.extend(
                Boilerplate(start + s, start + e, kind)
                for s, e, kind in _line_clutter(lines, number, page)
            )
        if len(line) >= _MIN_REPEATED_LINE:
            if line in seen:
                found.append(Boilerplate(start, end, BoilerplateKind.REPEATED_LINE))
            seen.add(line)
    with_clutter = _merge([*clutter, *found])
    # A page that is all clutter (a gallery extracted without its story) keeps its captions:
    # they are all the reporting it has.
    return with_clutter if _has_text_outside(text, with_clutter) else _merge(found)


def mark_outlet_templates(articles: Sequence["Article"]) -> tuple["Article", ...]:
    """Return ``articles`` with their outlets' template lines marked as boilerplate.

    A template line is a line of at least 20 characters printed verbatim on at least 3 stories
    of one outlet (``Article.source``), and on at least 5% of the outlet's articles. Two articles
    that share a line printed on fewer than 3 articles, more than 3 lines in all, or most of the
    shorter one's lines, are versions of one story, so the paragraphs versions share are not
    taken for a template. Articles with no source or in hard-wrapped text are left as they are,
    and so is an article whose every line is a template line.
    """
    lines = [_long_lines(article.text) for article in articles]
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for number, article in enumerate(articles):
        if article.source:
            by_outlet[article.source].append(number)
    marked = list(articles)
    for members in by_outlet.values():
        template = _template_lines({n: lines[n] for n in members})
        for number in members:
            article = articles[number]
            spans = [
                Boilerplate(start, end, BoilerplateKind.OUTLET_TEMPLATE)
                for line in template & lines[number].keys()
                for start, end in lines[number][line]
                if not _covered(article.text, start, end, article.boilerplate)
            ]
            if not spans:
                continue
            boilerplate = _merge([*article.boilerplate, *spans])
            if _has_text_outside(article.text, boilerplate):
                marked[number] = dataclasses.replace(article, boilerplate=boilerplate)
    return tuple(marked)


def _has_text_outside(text: str, spans: Sequence[Boilerplate]) -> bool:
    """Whether ``text`` has a visible character outside the sorted, disjoint ``spans`` (so it
    has a sentence: sentences cover every visible character outside boilerplate)."""
    position = 0
    for span in spans:
        if text[position : span.start].strip():
            return True
        position = max(position, span.end)
    return bool(text[position:].strip())


def _covered(text: str, start: int, end: int, spans: Sequence[Boilerplate]) -> bool:
    """Whether every visible character of ``text[start:end]`` is inside ``spans``."""
    uncovered = list(text[start:end])
    for span in spans:
        for offset in range(max(span.start, start), min(span.end, end)):
            uncovered[offset - start] = " "
    return not "".join(uncovered).strip()


def _template_lines(pages: dict[int, dict[str, list[tuple[int, int]]]]) -> set[str]:
    """The template lines of one outlet, given each page's long lines."""
    holders: dict[str, list[int]] = defaultdict(list)
    for number, page in pages.items():
        for line in page:
            holders[line].append(number)
    frequent = {line for line, held in holders.items() if len(held) >= _MIN_TEMPLATE_STORIES}

    def one_story(a: int, b: int) -> bool:
        shared = pages[a].keys() & pages[b].keys()
        return (
            bool(shared - frequent)
            or len(shared) > _MAX_TEMPLATE_LINES_SHARED
            or 2 * len(shared) > min(len(pages[a]), len(pages[b]))
        )

    template = set()
    for line in frequent:
        if len(holders[line]) < _MIN_TEMPLATE_SHARE * len(pages):
            continue
        stories: list[int] = []
        for number in holders[line]:
            if not any(one_story(number, other) for other in stories):
                stories.append(number)
                if len(stories) >= _MIN_TEMPLATE_STORIES:
                    template.add(line)
                    break
    return template


def _long_lines(text: str) -> dict[str, list[tuple[int, int]]]:
    """Where each trimmed line of at least ``_MIN_TEMPLATE_LINE`` characters stands (none, if
    the text is hard-wrapped: its lines are pieces of sentences)."""
    spans = list(_line_spans(text))
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    if _is_hard_wrapped([text[start:end] for start, end in spans]):
        return found
    for start, end in spans:
        if end - start >= _MIN_TEMPLATE_LINE:
            found[text[start:end]].append((start, end))
    return found


class _Page(NamedTuple):
    """What the rules for one line need to know of the whole page."""

    # Hard-wrapped text (a newswire's fixed-width lines): its lines are not paragraphs, so no
    # line rule applies.
    wrapped: bool
    # The numbers of the lines opening with a gallery counter, by the counter's total.
    counters: dict[int, set[int]]
    # How many lines open with a photo credit ("Getty Images ...", "Reuters ...").
    credit_heads: int


def _read_page(lines: Sequence[str]) -> _Page:
    counters: dict[int, set[int]] = defaultdict(set)
    for line in lines:
        counter = _COUNTER.match(line)
        if counter and 0 < int(counter.group(1)) <= int(counter.group(2)):
            counters[int(counter.group(2))].add(int(counter.group(1)))
    return _Page(
        wrapped=_is_hard_wrapped(lines),
        counters=counters,
        credit_heads=sum(
            1 for line in lines if _CREDIT_HEAD.match(line) or _AMBIGUOUS_CREDIT_HEAD.match(line)
        ),
    )


def _is_hard_wrapped(lines: Sequence[str]) -> bool:
    """Whether ``lines`` are text wrapped at a fixed width: several lines, none long, and a
    sentence broken across two of them (the next line goes on in lower case)."""
    return (
        len(lines) >= _MIN_WRAPPED_LINES
        and all(len(line) <= _MAX_WRAPPED_WIDTH for line in lines)
        and any(after[:1].islower() for after in lines[1:])
    )


def _widget_kind(line: str) -> BoilerplateKind | None:
    """The kind of a widget line ("Comments", "Δ", "___"), or ``None``."""
    if _COMMENTS_LINE.fullmatch(line):
        return BoilerplateKind.COMMENTS_WIDGET
    if (
        len(line) == 1
        or (len(line) <= _MAX_STRAY_SYMBOL and not any(c.isalnum() for c in line))
        or _RULE_LINE.fullmatch(line)
    ):
        return BoilerplateKind.STRAY_SYMBOL
    return None


def _line_clutter(
    lines: Sequence[str], number: int, page: _Page
) -> list[tuple[int, int, BoilerplateKind]]:
    """The clutter spans of ``lines[number]``, relative to the line: the whole line, the
    furniture sentences that close it, or nothing."""
    line = lines[number]
    kind = _line_kind(line, page)
    if kind is not None:
        return [(0, len(line), kind)]
    tail = _furniture_tail(line)
    if tail or not _is_verbless(line):
        return tail
    before = lines[number - 1] if number else ""
    after = lines[number + 1] if number + 1 < len(lines) else ""
    # A heading stands between paragraphs: after a finished sentence, before a new one. Short
    # unpunctuated lines in a row are verse or a list; a line between pieces of one sentence is
    # a phrase set apart by the page ("... like an\nagent provocateur\nand perhaps ...").
    if before and not _ends_like_sentence(before):
        return []
    if after and (after[0].islower() or after[0] in ",.;:)" or _is_short_unpunctuated(after)):
        return []
    return [(0, len(line), BoilerplateKind.VERBLESS_LINE)]


def _line_kind(line: str, page: _Page) -> BoilerplateKind | None:
    """What kind of clutter a whole (trimmed) line is, or ``None``."""
    if _is_gallery(line, page):
        return BoilerplateKind.GALLERY
    if _PROMO_LINE.match(line):
        return BoilerplateKind.PROMO
    if _READ_MORE.match(line):
        return BoilerplateKind.READ_MORE
    if _MEDIA_PLACEHOLDER.fullmatch(line):
        return BoilerplateKind.CAPTION
    credit = _credit_start(line)
    if _CREDIT_ALONE.fullmatch(line) or (credit == 0 and len(line.split()) <= _MAX_CREDIT_WORDS):
        return BoilerplateKind.PHOTO_CREDIT
    if (
        credit is not None
        or _CREDIT_HEAD.match(line)
        or _CAPTION_HEAD.match(line)
        or "toggle caption" in line
        or (
            _AMBIGUOUS_CREDIT_HEAD.match(line)
            and page.credit_heads >= _MIN_AMBIGUOUS_CREDIT_HEADS
            and not _ends_like_sentence(line)
        )
    ):
        return BoilerplateKind.CAPTION
    if _BY_LINE.fullmatch(line) or _STAMP.fullmatch(line) or _SOURCE_STAMP.fullmatch(line):
        return BoilerplateKind.BYLINE
    return None


def _credit_start(line: str) -> int | None:
    """Where the photo credit that closes ``line`` starts, or ``None`` if it has none."""
    window = max(0, len(line) - _CREDIT_WINDOW)
    starts = [word.start() for word in _WORD.finditer(line, window)]
    if window and not line[window - 1].isspace():
        starts = starts[1:]  # the window cut that word
    return next(
        (
            start
            for start in starts[-_MAX_CREDIT_TOKENS:]
            # A credit opens with a bracket, a slash, "©", a name or "image/photo/picture via".
            if (line[start] in "([/©ip" or line[start].isupper()) and _CREDIT.fullmatch(line, start)
        ),
        None,
    )


def _furniture_tail(line: str) -> list[tuple[int, int, BoilerplateKind]]:
    """The furniture sentences that close ``line`` (all of them, if the line is furniture)."""
    tail: list[tuple[int, int, BoilerplateKind]] = []
    end = line[-_FURNITURE_WINDOW:]
    if not any(word in end for word in _FURNITURE_WORDS):
        return tail
    for sentence in reversed(split_sentences(line)):
        kind = next(
            (k for pattern, k in _FURNITURE_SENTENCES if pattern.fullmatch(line, *sentence)),
            None,
        )
        if kind is None:
            break
        tail.append((sentence.start, sentence.end, kind))
    return tail[::-1]


def _is_gallery(line: str, page: _Page) -> bool:
    if _GALLERY_WIDGET.search(line) or _GALLERY_LINE.match(line):
        return True
    counter = _COUNTER.match(line)
    if not counter:
        return False
    shown, total = int(counter.group(1)), int(counter.group(2))
    if not 0 < shown <= total:
        return False
    # "9/11 ..." or "1 of 3 Americans ..." on its own is not a gallery; counters running to one
    # total ("1/16", "2/16") are.
    return counter.end() == len(line) or bool({shown - 1, shown + 1} & page.counters[total])


def _ends_like_sentence(line: str) -> bool:
    return line.rstrip("\"'”’)]").endswith((".", "!", "?", "…"))


def _is_short_unpunctuated(line: str) -> bool:
    return len(line.split()) <= _MAX_SHORT_LINE_WORDS and not line.endswith(
        (".", "!", "?", "…", ":", '"', "”", "’", "'")
    )


def _is_verbless(line: str) -> bool:
    """A short English line with no word that can be a finite verb: a heading or a label."""
    words = line.split()
    if not 2 <= len(words) <= _MAX_VERBLESS_WORDS:
        return False
    if not (line[0].isalpha() and line[-1].isalpha()):
        return False
    if any(c.isdigit() or c in '"“”«»@#' for c in line):
        return False
    if not all(c.isascii() for c in line if c.isalpha()):
        return False
    tokens = [word.strip(",;:()[]").replace("’", "'") for word in words]
    titled = all(token[:1].isupper() or token.lower() in _TITLE_FUNCTION_WORDS for token in tokens)
    for position, token in enumerate(tokens):
        lower = token.lower()
        if lower == "to" and position + 1 < len(tokens):  # "Set To Launch", "How to sign up"
            return False
        if lower in _VERBS or lower in _PRONOUN_IS:
            return False
        if lower.endswith(("n't", "'m", "'re", "'ve", "'ll", "'d")):
            return False
        # "attacked", "waiting": past tenses and participles (not "red", "king").
        if any(lower.endswith(end) and len(lower) > len(end) + 1 for end in ("ed", "ing")):
            return False
        # A third-person verb ("Russia launches ..."): any plural-looking word after the first,
        # in sentence case only if it is not a capitalised name.
        if (
            position > 0
            and (titled or token[:1].islower())
            and lower.endswith("s")
            and not lower.endswith(("ss", "us", "'s"))
        ):
            return False
    return True


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each line of ``text`` with its surrounding white space trimmed,
    empty lines left out."""
    start = 0
    while True:
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        line = text[start:end]
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield start + lead, start + lead + len(stripped)
        if newline < 0:
            return
        start = newline + 1


def _merge(spans: list[Boilerplate]) -> tuple[Boilerplate, ...]:
    """Sort spans and fold overlapping ones into the earlier span's kind."""
    merged: list[Boilerplate] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Boilerplate(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return tuple(merged)
