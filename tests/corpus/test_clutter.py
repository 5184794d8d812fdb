"""Web clutter (captions, credits, galleries, bylines, links, calls to act, verbless lines and an
outlet's template lines) is marked as boilerplate: never indexed, offsets exact, text unchanged."""

import itertools
import json
from pathlib import Path

import pytest

import corpus

Kind = corpus.BoilerplateKind
BEFORE = "Kyiv was hit overnight."
AFTER = "Nobody was hurt."


def marked(article: corpus.Article) -> list[tuple[Kind, str]]:
    """Each boilerplate span's kind and the text it covers."""
    return [(b.kind, article.text[b.start : b.end]) for b in article.boilerplate]


def between(line: str) -> corpus.Article:
    """An article with ``line`` between two lines of reporting."""
    return corpus.make_article("doc-1", f"{BEFORE}\n{line}\n{AFTER}")


def assert_line_is(line: str, kind: Kind) -> None:
    article = between(line)
    [span] = article.boilerplate
    assert (span.start, span.end, span.kind) == (len(BEFORE) + 1, len(BEFORE) + 1 + len(line), kind)
    assert article.text[span.start : span.end] == line
    assert [s.text for s in article.sentences()] == [BEFORE, AFTER]


def assert_line_is_kept(line: str) -> None:
    article = between(line)
    assert article.boilerplate == ()
    assert line in " ".join(s.text for s in article.sentences())


# Captions and photo credits


@pytest.mark.parametrize(
    "line",
    [
        "The Telegram app was removed from the Apple store after the company said it had found "
        "“inappropriate content” Dado Ruvic/Reuters",
        "Ukrainian authorities reported at least 23 people have been injured. Photo / Getty Images",
        "Telegram's apps have been pulled from the iOS App Store. (Photo: Telegram)",
        "Timberlake performs during the halftime show. (Patrick Smith/Getty Images)",
        "The Cubs had not won the World Series since 1908 (Getty)",
        "A drone lights up the sky over Kyiv, July 4, 2025. /REUTERS/Gleb Garanich",
        "A sign on the Qualcomm campus is seen in San Diego. REUTERS/Mike Blake",
        "Justin Timberlake performs during half-time. Photograph: Matt York/AP",
        "Steve Mollenkopf Photographer: Patrick T. Fallon/Bloomberg",
        "Offshore firms created by Mossack Fonseca ©jgd (AFP)",
        "Harambe is pictured in this undated handout photo. [Photo/Agencies]",
        "The trains collided in the 53rd Street tunnel (file photo)",
        "This is what passengers saw of the search for the bird. (Courtesy of Brian Buonassissi)",
        "Image copyright EPA Image caption The massive blast destroyed nearby buildings and cars",
        "Image caption The Taliban claimed responsibility for the attack",
        "Media playback is unsupported on your device Media caption Fireworks 'chaos' as barge "
        "explodes",
        "Enlarge this image toggle caption Lee Jin-man/AP Lee Jin-man/AP",
        "FILE PHOTO: U.S. President Donald Trump and Russia's President Vladimir Putin meet.",
        "FILE - In this Dec. 13, 2016, file photo, the logo for Goldman Sachs appears above a "
        "trading post.",
        "This Dec. 28, 2017 photo made available by SpaceX shows a Falcon Heavy rocket.",
        "Photos: Justin Timberlake's Super Bowl halftime show Timberlake plays the piano.",
        "Getty Images Chicago Cubs celebrate winning the World Series",
        "GETTY Bitcoin has fallen to its lowest point since November",
        "Getty - Contributor Russia shares a 24-mile border with North Korea",
        "AP:Associated Press Felipe Massa waves to the crowd after the race",
        "Issei Kato / Reuters U.S. Forces officials are seen in front of a Patriot missile unit.",
        "Photo",
        "Video",
    ],
)
def test_captions_are_marked(line: str) -> None:
    assert_line_is(line, Kind.CAPTION)


@pytest.mark.parametrize(
    "line",
    [
        "Getty Images",
        "Reuters",
        "Image copyright Getty Images",
        "Jae C. Hong/AP",
        "Stephen Shankland/CNET",
        "Jim Spellman/WireImage via Getty Images",
        "(Image: Getty Images)",
        "Source: CoinMarketCap",
    ],
)
def test_photo_credits_are_marked(line: str) -> None:
    assert_line_is(line, Kind.PHOTO_CREDIT)


@pytest.mark.parametrize(
    "line",
    [
        "Reuters reported that 40 buildings were damaged.",
        "EPA Administrator Scott Pruitt said on Tuesday that the rule would change.",
        "AFP Correspondent Jane Doe saw the damage in Kyiv.",
        "The photo was taken in Kyiv on Friday, officials said.",
        "This image of Britain is outdated, he said.",
        "He flew from Kyiv to Lviv and on to Warsaw/Berlin.",
        "The agency shared the image on Twitter.",
        "Getty later removed the picture from its archive.",
    ],
)
def test_sentences_about_agencies_and_photos_are_kept(line: str) -> None:
    assert_line_is_kept(line)


def test_captions_opening_with_a_bare_agency_are_marked_in_a_run() -> None:
    # "Reuters", "EPA" or "Getty" also open reporting ("Getty Oil Co said ..."), so a caption
    # they open counts only on a page with several such captions.
    captions = [
        "Reuters Chicago Cubs fans were able to celebrate their 108-year wait",
        "EPA South Korea fears an invasion from its neighbours",
    ]
    article = corpus.make_article("doc-1", "\n".join([BEFORE, *captions, AFTER]))
    assert marked(article) == [(Kind.CAPTION, caption) for caption in captions]
    assert_line_is_kept(captions[0])
    assert_line_is_kept("Getty Oil Co agreed to the merger on Friday")


def test_hard_wrapped_text_has_no_line_clutter() -> None:
    # A newswire wrapped at a fixed width: its lines are pieces of sentences ("IBM PC/AT" is
    # not a photo credit, "Japan's Prime Minister Yasuhiro Nakasone" not a heading).
    text = (
        "Japan's Prime Minister Yasuhiro Nakasone\n"
        "said the point-of-sale terminals will communicate with IBM PC/AT\n"
        "computers, a spokesman said.\n"
        "Getty Oil Co.\n"
    )
    assert corpus.make_article("doc-1", text).boilerplate == ()


# Galleries


@pytest.mark.parametrize(
    "line",
    [
        "Photos: Shocking celebrity splits Taylor Swift and Calvin Harris split. Hide Caption 14 "
        "of 59",
        "Hide Caption 8 of 25 Photos: North Korea launches rocket",
        "1 of 12",
        "16 show all Afghanistan: Between Hope and Fear",
        "+ show all Nasa's most stunning pictures of space",
        "Slideshow (2 Images)",
        "NASA space station Mon, July 18, 2016 Play slideshow Getty Images 1 of 35",
        "1 of 26 Full Screen Autoplay Close Skip Ad × The Chicago Cubs win World Series",
        "next",
    ],
)
def test_gallery_lines_are_marked(line: str) -> None:
    assert_line_is(line, Kind.GALLERY)


def test_a_run_of_counters_to_one_total_is_a_gallery() -> None:
    lines = [
        "1/3 2001 Afghans reach for bags of rice. (Chaman, Pakistan) Paula Bronstein",
        "2/3 2002 Mahbooba stands against a bullet-ridden wall. (Kabul) Paula Bronstein",
        "3/3 2003 A mother and her two children look out from their cave dwelling.",
    ]
    article = corpus.make_article("doc-1", "\n".join([BEFORE, *lines, AFTER]))
    assert marked(article) == [(Kind.GALLERY, line) for line in lines]


@pytest.mark.parametrize(
    "line",
    [
        "9/11 Memorial Museum reopens to visitors",
        "04/09/87 03/09/87 04/09/87 03/09/87",
        "1 of 3 Americans say they trust the news.",
        "24/7 coverage of the war continues.",
    ],
)
def test_a_lone_number_pair_is_not_a_gallery(line: str) -> None:
    assert_line_is_kept(line)


def test_counters_that_do_not_run_are_not_a_gallery() -> None:
    lines = ["550/700 93-95 unchanged", "600/700 98-100 no comparison"]
    article = corpus.make_article("doc-1", "\n".join([BEFORE, *lines, AFTER]))
    assert article.boilerplate == ()


# Bylines


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Doe, CNN",
        "By Jane Doe and John Roe, CNN",
        "By Emma Batha",
        "By the Associated Press",
        "Updated 1234 GMT (2034 HKT) February 5, 2018",
        "Updated at 9:50 p.m. ET Thursday",
        "Xinhua | Updated: 2017-09-15 17:52",
        "(Reporting by Malcolm Foster; Editing by Bill Tarrant)",
        "(Additional reporting by Jack Kim; Editing by Lincoln Feast)",
        "Additional reporting from agencies",
        "The Associated Press contributed to this report.",
        "Yoongjung Seo in Seoul and Yuki Oda in Tokyo contributed to this report.",
        "Shirley Feng contributed from Beijing.",
        "— With assistance by Alex Barinka",
        "This article originally appeared on CNET.",
        "Blaine Friedlander can be reached at SkyWatchPost@gmail.com.",
        "Contact the writers at desk@example.com",
        "Email the author.",
        "Information from: Erie Times-News, http://www.goerie.com",
    ],
)
def test_bylines_are_marked(line: str) -> None:
    assert_line_is(line, Kind.BYLINE)


@pytest.mark.parametrize(
    "line",
    [
        "By Monday, officials had counted 23 injured.",
        "By then the shelter was full.",
        "Reporting by the Times found that the contract was signed.",
        "Updated guidance was issued at 9:30 a.m. on Friday.",
        "Smith writes about the Associated Press.",
        "China contributed from its reserves.",
    ],
)
def test_sentences_like_bylines_are_kept(line: str) -> None:
    assert_line_is_kept(line)


def test_a_byline_closing_a_line_of_reporting_is_cut_off_it() -> None:
    reporting = "“Black Mirror” Season 4 is streaming now on Netflix."
    credit = "Additional reporting by Steve Greene."
    article = between(f"{reporting} {credit}")
    start = len(BEFORE) + 1 + len(reporting) + 1
    assert [(b.start, b.end, b.kind) for b in article.boilerplate] == [
        (start, start + len(credit), Kind.BYLINE)
    ]
    assert [s.text for s in article.sentences()] == [BEFORE, reporting, AFTER]


def test_a_tagline_of_two_credits_is_marked_sentence_by_sentence() -> None:
    line = "Arhirova writes for the Associated Press. Jane Doe contributed to this report."
    assert marked(between(line)) == [
        (Kind.BYLINE, "Arhirova writes for the Associated Press."),
        (Kind.BYLINE, "Jane Doe contributed to this report."),
    ]


# Links to other stories


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Russia launches biggest attack on Kyiv",
        "READ MORE: Elon Musk's epic montage of explosive SpaceX fails (VIDEO)",
        "Read More",
        "Read more:",
        "More: Net neutrality app is a lesson in Apple's App Store power",
        "Related: 34 things to know about the new tax law",
        "ALSO READ: Dog found frozen solid on its porch amid US cold snap",
        "More from The New York Times:",
        "Lloyds Bank bans customers from buying bitcoins using credit cards Read more",
        "[Five very important questions about Justin Timberlake’s Super Bowl halftime show]",
        "For more NFL coverage: http://www.pro32.ap.org and http://www.twitter.com/AP_NFL",
    ],
)
def test_links_to_other_stories_are_marked(line: str) -> None:
    assert_line_is(line, Kind.READ_MORE)


@pytest.mark.parametrize(
    "line",
    [
        "More than 30 people were killed, officials said.",
        "Related talks stalled in May.",
        "Readers wrote in to complain about the coverage.",
        "[Editor’s note: Spoilers follow for the episode.]",
    ],
)
def test_sentences_like_links_are_kept(line: str) -> None:
    assert_line_is_kept(line)


# Calls to act, advertisements, footers


@pytest.mark.parametrize(
    "line",
    [
        "Share this on Facebook",
        "Advertisement Continue reading the main story",
        "Advertisement - Continue Reading Below",
        "Newsletter Sign Up Continue reading the main story Please verify you're not a robot.",
        "Sign up for BREAKING NEWS Emails privacy policy Thanks for subscribing!",
        "Subscribe to our newsletter",
        "Scroll down for video",
        "Your browser does not support iframes.",
        "Read or Share this story: https://usat.ly/2FDg8kl",
        "Follow USA TODAY reporter Mike Snider on Twitter: @MikeSnider.",
        "Like us on Facebook or Follow us on Twitter.",
        "If you like this story, share it with a friend!",
        "Keep up with this story and more by subscribing now",
        "Click here to upload yours.",
        "Copyright 2018 Hawaii News Now.",
    ],
)
def test_calls_to_act_and_footers_are_marked(line: str) -> None:
    assert_line_is(line, Kind.PROMO)


def test_a_footer_of_several_sentences_is_marked_whole() -> None:
    line = (
        "Copyright 2017 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed."
    )
    article = between(line)
    assert [kind for kind, _ in marked(article)] == [Kind.PROMO] * 3
    assert " ".join(text for _, text in marked(article)) == line
    assert [s.text for s in article.sentences()] == [BEFORE, AFTER]


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement revenue fell 5 percent.",
        "Share prices fell 3 percent on Monday.",
        "Copyright law changed in 2018.",
        "He urged people to follow the news on the radio.",
        "Get the facts right, he said.",
    ],
)
def test_sentences_like_calls_to_act_are_kept(line: str) -> None:
    assert_line_is_kept(line)


# Verbless lines


@pytest.mark.parametrize(
    "line",
    [
        "Complete disregard",
        "War and terror",
        "The nuclear option",
        "Japan on high alert",
        "FAMILY TIME",
        "Play Time Management",
        "Jonathan Prime",
        "About The Author",
    ],
)
def test_short_verbless_lines_are_marked(line: str) -> None:
    assert_line_is(line, Kind.VERBLESS_LINE)


@pytest.mark.parametrize(
    "line",
    [
        "Nobody was hurt.",
        "Kyiv",
        "Trump, Zelenskyy talks",
        "Kyiv attacked overnight",
        "Calls waiting, arms on hold",
        "Russia launches biggest attack",
        "SpaceX Set To Launch World's Most Powerful Rocket",
        "Ukraine strikes Russian top brass",
        "550 drones and 11 missiles",
        "'Massive damage'",
        "‘I’m very disappointed’",
        "Regions hit overnight:",
        "The talks, which lasted for hours on end in a cold and crowded hall without heat",
        "Київ під атакою",
    ],
)
def test_short_lines_that_may_be_reporting_are_kept(line: str) -> None:
    assert_line_is_kept(line)


@pytest.mark.parametrize(
    "text",
    [
        "He said it acted like an\nagent provocateur\nand perhaps made things worse.",
        "Playing colours:\nAll black\nThe Haka and more!",
        "The team won in Paris.\nJoie de vivre\n, he said, was the reason.",
    ],
    ids=["mid-sentence", "after-a-label", "before-a-continuation"],
)
def test_a_verbless_line_inside_a_sentence_is_not_a_heading(text: str) -> None:
    assert corpus.make_article("doc-1", text).boilerplate == ()


def test_verse_is_not_a_run_of_headings() -> None:
    verse = ["Blue moon you saw me standing alone", "Without a dream in my heart"]
    article = corpus.make_article("doc-1", "\n".join([BEFORE, *verse, AFTER]))
    assert article.boilerplate == ()


# Whole articles


def test_a_page_that_is_all_clutter_keeps_its_captions() -> None:
    text = (
        "Photos: Halftime show Timberlake plays the piano. Hide Caption 1 of 2\n"
        "Photos: Halftime show Fans surround the stage. Hide Caption 2 of 2\n"
    )
    article = corpus.make_article("doc-1", text)
    assert article.boilerplate == ()
    assert article.sentences()[0].text == "Photos: Halftime show Timberlake plays the piano."


def test_clutter_never_changes_the_text_and_spans_stay_sorted_apart() -> None:
    text = "Getty Images\nBy Jane Doe, CNN\n Kyiv was hit. Photo / Getty Images \nRead more\nNo.\n"
    article = corpus.make_article("doc-1", text)
    assert article.text == text
    assert marked(article) == [
        (Kind.PHOTO_CREDIT, "Getty Images"),
        (Kind.BYLINE, "By Jane Doe, CNN"),
        (Kind.CAPTION, "Kyiv was hit. Photo / Getty Images"),
        (Kind.READ_MORE, "Read more"),
    ]
    spans = article.boilerplate
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


# The seeds


SEEDS = {a.doc_id[:3]: a for a in corpus.load_articles([corpus.bundled_articles_dir()]).articles}


def test_seed_000_tagline_is_a_byline() -> None:
    assert marked(SEEDS["000"])[1:] == [
        (Kind.BYLINE, "Arhirova writes for the Associated Press."),
        (Kind.BYLINE, "Vasilisa Stepanenko contributed to this report from Kyiv."),
    ]


def test_seed_002_captions_and_headings_are_clutter() -> None:
    assert [(kind, text[:40]) for kind, text in marked(SEEDS["002"])[1:]] == [
        (Kind.CAPTION, "Ukrainian authorities reported at least "),
        (Kind.VERBLESS_LINE, "War and terror"),
        (Kind.CAPTION, "Volodymyr Zelenskyy and Donald Trump dis"),
        (Kind.VERBLESS_LINE, "Complete disregard"),
        (Kind.CAPTION, "Talks for a diplomatic resolution have s"),
    ]
    assert all(
        text.endswith("Photo / Getty Images")
        for kind, text in marked(SEEDS["002"])
        if kind is Kind.CAPTION
    )


@pytest.mark.parametrize(
    ("prefix", "count"), [("000", 48), ("001", 32), ("002", 31), ("003", 18), ("004", 34)]
)
def test_seed_sentence_counts(prefix: str, count: int) -> None:
    assert len(SEEDS[prefix].sentences()) == count


# An outlet's template lines, found across the corpus


TEMPLATE = "The Daily Example is published by Example Media Group in London."
STORIES = [
    "Kyiv was hit overnight by drones.\nAt least 23 people were hurt, officials said.",
    "The Cubs won the World Series.\nFans celebrated outside the stadium until dawn.",
    "Bitcoin fell below $6,000.\nTraders blamed a crackdown in South Korea.",
]


def load_records(tmp_path: Path, records: list[dict[str, str]]) -> dict[str, corpus.Article]:
    path = tmp_path / "crawl.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    return {a.doc_id: a for a in corpus.load_articles([path]).articles}


def record(doc_id: str, text: str, source: str = "example.com") -> dict[str, str]:
    return {"doc_id": doc_id, "text": text, "source": source}


def test_a_line_an_outlet_prints_on_unrelated_stories_is_template(tmp_path: Path) -> None:
    records = [record(f"d{n}", f"{story}\n{TEMPLATE}") for n, story in enumerate(STORIES)]
    records.append(record("other", f"{STORIES[0]}\n{TEMPLATE}", source="other.org"))
    articles = load_records(tmp_path, records)
    for n, story in enumerate(STORIES):
        article = articles[f"d{n}"]
        assert marked(article) == [(Kind.OUTLET_TEMPLATE, TEMPLATE)]
        assert article.boilerplate[0].start == len(story) + 1
        assert TEMPLATE not in " ".join(s.text for s in article.sentences())
    assert articles["other"].boilerplate == ()


def test_a_line_on_two_stories_is_not_template(tmp_path: Path) -> None:
    records = [record(f"d{n}", f"{story}\n{TEMPLATE}") for n, story in enumerate(STORIES[:2])]
    records.append(record("d2", STORIES[2]))
    assert all(a.boilerplate == () for a in load_records(tmp_path, records).values())


def test_versions_of_one_story_do_not_make_a_template(tmp_path: Path) -> None:
    # Three updates of one story share their paragraphs: those are reporting, not a template.
    paragraphs = [
        "Russia launched its largest drone attack on Kyiv overnight.",
        "At least 23 people were hurt, the city's mayor said on Friday.",
        "Air defences shot down 270 targets, the air force said.",
        "Trump and Zelenskyy spoke by phone after the attack.",
    ]
    records = [
        record(f"v{n}", "\n".join([*paragraphs, f"Update {n}: more details emerged."]))
        for n in range(3)
    ]
    assert all(a.boilerplate == () for a in load_records(tmp_path, records).values())


def test_a_paragraph_two_related_stories_share_is_not_template(tmp_path: Path) -> None:
    background = "Musk founded SpaceX in 2002 to cut the cost of reaching space."
    engines = "The rocket has 27 engines and three cores."  # shared by a and b only
    records = [
        record("a", f"SpaceX will launch the Falcon Heavy.\n{background}\n{engines}"),
        record("b", f"The Falcon Heavy carries a Tesla.\n{background}\n{engines}"),
        record("c", f"Tesla shares rose on Monday.\n{background}"),
    ]
    assert all(a.boilerplate == () for a in load_records(tmp_path, records).values())


def test_a_rare_line_in_a_big_archive_is_not_template(tmp_path: Path) -> None:
    # Three unrelated stories out of 61 (under 5%) share a sentence by chance.
    records = [record(f"s{n}", f"Story number {n} happened today in town {n}.") for n in range(58)]
    records += [record(f"d{n}", f"{story}\n{TEMPLATE}") for n, story in enumerate(STORIES)]
    assert all(a.boilerplate == () for a in load_records(tmp_path, records).values())


def test_a_page_of_template_lines_only_keeps_them(tmp_path: Path) -> None:
    records = [record(f"d{n}", f"{story}\n{TEMPLATE}") for n, story in enumerate(STORIES)]
    records.append(record("bare", TEMPLATE))
    articles = load_records(tmp_path, records)
    assert articles["bare"].boilerplate == ()
    assert marked(articles["d0"]) == [(Kind.OUTLET_TEMPLATE, TEMPLATE)]
