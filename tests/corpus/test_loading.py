"""Reading articles from files and folders, and refusing what cannot be read."""

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

import corpus

BODY = "Kyiv was hit overnight. At least 23 people were hurt."


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def write_json(path: Path, value: Any) -> Path:
    return write(path, json.dumps(value, ensure_ascii=False))


def write_gzip(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return write(path, gzip.compress(content))


def load(*paths: Path, skip_bad: bool = False) -> corpus.LoadedCorpus:
    return corpus.load_articles(list(paths), skip_bad=skip_bad)


def summary(loaded: corpus.LoadedCorpus) -> list[tuple[str, str]]:
    return [(a.doc_id, a.text) for a in loaded.articles]


# Formats


@pytest.mark.parametrize(
    "content",
    [
        BODY,
        "  Kyiv was hit.\r\nAt least 23 people were hurt.\r\n",
        "\n\n\tKyiv was hit. Київ 💥\n\n",
    ],
    ids=["plain", "crlf-and-leading-spaces", "blank-lines-unicode"],
)
def test_txt_content_is_the_article_text_exactly(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "kyiv-1.txt", content)
    loaded = load(path)
    assert summary(loaded) == [("kyiv-1", content)]
    assert loaded.skipped == ()


def test_txt_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + BODY.encode("utf-8"))
    assert summary(load(path)) == [("bom", BODY)]


def test_md_heading_is_the_title(tmp_path: Path) -> None:
    content = "# Russia launches biggest attack on Kyiv\n\n" + BODY
    path = write(tmp_path / "story.md", content)
    (article,) = load(path).articles
    assert (article.doc_id, article.title, article.text) == (
        "story",
        "Russia launches biggest attack on Kyiv",
        content,
    )


def test_md_without_heading_has_no_title(tmp_path: Path) -> None:
    (article,) = load(write(tmp_path / "story.md", "#Kyiv was hit.\n" + BODY)).articles
    assert article.title is None


def test_md_heading_title_in_a_crlf_file(tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", "# Kyiv attack overnight\r\n\r\n" + BODY)
    (article,) = load(path).articles
    assert article.title == "Kyiv attack overnight"


def test_json_single_object_takes_the_stem_as_doc_id(tmp_path: Path) -> None:
    record = {
        "text": BODY,
        "title": "Kyiv hit",
        "source": "Reuters",
        "date": "2025-07-04",
        "url": "https://example.com/kyiv",
    }
    (article,) = load(write_json(tmp_path / "wire.json", record)).articles
    assert article == corpus.Article(
        doc_id="wire",
        text=BODY,
        source="Reuters",
        date="2025-07-04",
        title="Kyiv hit",
        url="https://example.com/kyiv",
    )


def test_json_single_object_with_its_own_doc_id(tmp_path: Path) -> None:
    path = write_json(tmp_path / "wire.json", {"text": BODY, "doc_id": "ap-2025-07-04"})
    assert summary(load(path)) == [("ap-2025-07-04", BODY)]


def test_json_list_numbers_records_from_one(tmp_path: Path) -> None:
    records = [
        {"text": "First story."},
        {"text": "Second story.", "doc_id": "own-id"},
        {"text": "Third."},
    ]
    path = write_json(tmp_path / "batch.json", records)
    assert summary(load(path)) == [
        ("batch-1", "First story."),
        ("own-id", "Second story."),
        ("batch-3", "Third."),
    ]


def test_jsonl_numbers_records_by_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "First story.", "source": "AFP"}),
        "",
        json.dumps({"text": "Third-line story.", "doc_id": "mine"}),
        json.dumps({"text": "Fourth-line story."}),
    ]
    loaded = load(write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n"))
    assert summary(loaded) == [
        ("feed-1", "First story."),
        ("mine", "Third-line story."),
        ("feed-4", "Fourth-line story."),
    ]
    assert loaded.articles[0].source == "AFP"


@pytest.mark.parametrize("separator", ["\u2028", "\u0085"])
def test_jsonl_text_may_hold_unicode_line_separators(tmp_path: Path, separator: str) -> None:
    text = f"Kyiv was hit.{separator}Zelenskyy spoke."
    path = write(tmp_path / "feed.jsonl", json.dumps({"text": text}, ensure_ascii=False) + "\n")
    assert summary(load(path)) == [("feed-1", text)]


def test_jsonl_gz_is_read_in_place_and_ignores_other_fields(tmp_path: Path) -> None:
    records = [
        {
            "doc_id": "0393cb165c69",
            "title": "Kyiv hit",
            "source": "www.example.com",
            "date": "2025-07-04",
            "url": "https://www.example.com/kyiv",
            "event": "Kyiv_attack",
            "text": BODY,
        },
        {"text": "Second story, no id. Київ 💥", "event": "Other_event"},
    ]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    path = write_gzip(tmp_path / "news.jsonl.gz", lines)
    loaded = load(path)
    assert loaded.articles == (
        corpus.Article(
            doc_id="0393cb165c69",
            text=BODY,
            source="www.example.com",
            date="2025-07-04",
            title="Kyiv hit",
            url="https://www.example.com/kyiv",
        ),
        corpus.Article(doc_id="news-2", text="Second story, no id. Київ 💥"),
    )
    assert loaded.skipped == ()


def test_jsonl_gz_reads_like_the_jsonl_it_compresses(tmp_path: Path) -> None:
    lines = json.dumps({"text": "First story."}) + "\n\n" + json.dumps({"text": "Third."}) + "\n"
    plain = load(write(tmp_path / "a" / "feed.jsonl", lines))
    packed = load(write_gzip(tmp_path / "b" / "feed.jsonl.gz", lines))
    assert summary(packed) == summary(plain) == [("feed-1", "First story."), ("feed-3", "Third.")]


def test_sidecar_metadata_wins_over_the_text(tmp_path: Path) -> None:
    text = "date 2025-07-04 Kyiv was hit overnight.\n\n- Agence France-Presse"
    write(tmp_path / "story.txt", text)
    write_json(
        tmp_path / "story.meta.json",
        {
            "source": "Reuters",
            "date": "2025-07-05",
            "title": "Kyiv hit again",
            "url": "https://example.com/k",
        },
    )
    (article,) = load(tmp_path).articles
    assert (article.doc_id, article.text) == ("story", text)
    assert (article.source, article.date, article.title, article.url) == (
        "Reuters",
        "2025-07-05",
        "Kyiv hit again",
        "https://example.com/k",
    )


def test_sidecar_fills_only_what_it_gives(tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", "# Kyiv hit overnight again\n\n" + BODY + "\n- AFP")
    write_json(tmp_path / "story.meta.json", {"url": "https://example.com/k"})
    (article,) = load(path).articles
    assert (article.source, article.title, article.url) == (
        "AFP",
        "Kyiv hit overnight again",
        "https://example.com/k",
    )


def test_sidecar_title_wins_over_md_heading(tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", "# Heading of the page\n\n" + BODY)
    write_json(tmp_path / "story.meta.json", {"title": "Sidecar title"})
    assert load(path).articles[0].title == "Sidecar title"


def test_sidecars_are_not_loaded_as_articles(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", BODY)
    write_json(tmp_path / "a.meta.json", {"source": "AP"})
    write_json(tmp_path / "orphan.meta.json", {"text": "Not an article."})
    loaded = load(tmp_path)
    assert [(a.doc_id, a.source) for a in loaded.articles] == [("a", "AP")]


def test_folders_are_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "c.md", "Story c.")
    write(tmp_path / "a" / "y" / "deep.txt", "Story deep.")
    write(tmp_path / "a" / "x.txt", "Story x.")
    write(tmp_path / "b.jsonl", json.dumps({"text": "Story b."}) + "\n")
    write_gzip(tmp_path / "a" / "v.jsonl.gz", json.dumps({"text": "Story v."}) + "\n")
    write_json(tmp_path / "a" / "w.json", {"text": "Story w."})
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    write(tmp_path / "README.rst", "Not an article.")
    write_gzip(tmp_path / "old.txt.gz", "Not read: only JSON Lines is read compressed.")
    assert [a.doc_id for a in load(tmp_path).articles] == ["v-1", "w", "x", "deep", "b-1", "c"]


def test_hidden_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "visible.txt", BODY)
    write(tmp_path / ".git" / "note.txt", "Hidden story.")
    write(tmp_path / "sub" / ".cache" / "copy.txt", "Hidden story.")
    assert [a.doc_id for a in load(tmp_path).articles] == ["visible"]


def test_files_and_folders_can_be_mixed(tmp_path: Path) -> None:
    single = write(tmp_path / "single.txt", "A single story.")
    write(tmp_path / "folder" / "inner.txt", "An inner story.")
    loaded = load(single, tmp_path / "folder")
    assert summary(loaded) == [("single", "A single story."), ("inner", "An inner story.")]


def test_the_bundled_folder_loads_every_seed() -> None:
    loaded = load(corpus.bundled_articles_dir())
    assert len(loaded.articles) == 5
    assert loaded.skipped == ()


# Bad input


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(corpus.CorpusNotFoundError, match=f"{re.escape(str(missing))}: no such"):
        load(missing)


def test_no_paths_at_all() -> None:
    with pytest.raises(corpus.CorpusNotFoundError, match="no article paths given"):
        corpus.load_articles([])


def test_empty_folder(tmp_path: Path) -> None:
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    with pytest.raises(
        corpus.CorpusNotFoundError, match=f"no readable articles in {re.escape(str(tmp_path))}"
    ):
        load(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Kyiv\x00\x01\x02 was hit.", "looks binary"),
        ("Kyiv was hit.".encode("utf-16"), "looks binary"),
        (b"Caf\xe9 in Kyiv was hit.", r"not UTF-8 text \(byte 0xe9 at offset 3\)"),
        (b"", "is empty"),
        (b" \n\t\r\n ", "is empty"),
        ("Comments\nΔ\n".encode(), "has no text outside boilerplate"),
    ],
    ids=["nul-bytes", "utf-16", "latin-1", "empty", "whitespace", "only-boilerplate"],
)
def test_unreadable_txt_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path / "bad.txt", content)
    with pytest.raises(corpus.ArticleFileError, match=f"^{re.escape(str(path))}: .*{message}"):
        load(path)


def test_duplicate_doc_id_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "story.txt", BODY)
    second = write(tmp_path / "b" / "story.md", BODY)
    expected = f"doc id 'story' is used twice: in {first} and in {second}"
    with pytest.raises(corpus.DuplicateDocIdError, match=re.escape(expected)):
        load(tmp_path)


def test_duplicate_doc_id_inside_one_json_file(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "batch.json", [{"text": "One.", "doc_id": "x"}, {"text": "Two.", "doc_id": "x"}]
    )
    with pytest.raises(corpus.DuplicateDocIdError, match="doc id 'x' is used twice"):
        load(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feed.jsonl", '{"text": "One."}\n{"text": "Two."\n', "line 2 is not valid JSON"),
        ("feed.jsonl", "\n\n", "holds no articles"),
        ("feed.jsonl", '{"text": "One."}\n[1, 2]\n', "line 2 must be a JSON object, got list"),
        ("wire.json", '{"text": "One.",}', "not valid JSON"),
        ("wire.json", "[]", "holds an empty list, no articles"),
        ("wire.json", '[{"text": "One."}, 7]', "record 2 must be a JSON object, got int"),
        ("wire.json", '{"title": "No text here"}', "record 1 needs a string field 'text'"),
        ("wire.json", '{"text": ["One."]}', "record 1 needs a string field 'text'"),
        ("feed.jsonl", '{"body": "One."}\n', "line 1 needs a string field 'text'"),
        ("wire.json", '{"text": "One.", "title": 5}', "record 1: 'title' must be a string, got 5"),
        ("wire.json", '{"text": "One.", "source": {"name": "AP"}}', "'source' must be a string"),
        (
            "wire.json",
            '{"text": "One.", "doc_id": 7}',
            "record 1: 'doc_id' must be a string, got 7",
        ),
        ("wire.json", '{"text": "One.", "date": "July 4"}', "has date 'July 4': not an ISO date"),
        (
            "feed.jsonl",
            '{"text": "One.", "doc_id": "../etc/passwd"}\n',
            r"line 1: doc id '\.\./etc/passwd' is not valid",
        ),
        ("wire.json", '{"text": "  \\n "}', "record 1: article 'wire' is empty"),
    ],
)
def test_malformed_json_records(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(corpus.ArticleFileError, match=f"^{re.escape(str(path))}: .*{message}"):
        load(path)


GOOD_GZIP = gzip.compress(json.dumps({"text": "One."}).encode() + b"\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"text": "One."}\n', r"not a readable gzip file \(Not a gzipped file"),
        (GOOD_GZIP[:-12], "not a readable gzip file .*ended before the end-of-stream marker"),
        (GOOD_GZIP[:-8] + b"\0\0\0\0" + GOOD_GZIP[-4:], r"not a readable gzip file \(CRC"),
        (GOOD_GZIP + b"trailing", r"not a readable gzip file \(Not a gzipped file"),
        (b"", "holds no articles"),
        (gzip.compress(b"Caf\xe9\n"), r"not UTF-8 text \(byte 0xe9 at offset 3\)"),
        (gzip.compress(b"\x00\x01\x02"), "looks binary"),
        (gzip.compress(b'{"text": "One."}\n{"text": \n'), "line 2 is not valid JSON"),
        (gzip.compress(b'{"title": "No text"}\n'), "line 1 needs a string field 'text'"),
    ],
    ids=[
        "not-gzip",
        "truncated",
        "bad-checksum",
        "trailing-garbage",
        "empty-file",
        "latin-1-inside",
        "binary-inside",
        "bad-json-line",
        "no-text",
    ],
)
def test_malformed_jsonl_gz(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path / "feed.jsonl.gz", content)
    with pytest.raises(corpus.ArticleFileError, match=f"^{re.escape(str(path))}: .*{message}"):
        load(path)


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ('{"source": "AP",', "metadata sidecar .*story.meta.json is not valid JSON"),
        ('["AP"]', "metadata sidecar .*story.meta.json must hold a JSON object"),
        ('{"date": "July 4"}', "has date 'July 4': not an ISO date"),
        ('{"url": 42}', "'url' must be a string, got 42"),
    ],
)
def test_malformed_sidecar(tmp_path: Path, sidecar: str, message: str) -> None:
    path = write(tmp_path / "story.txt", BODY)
    write(tmp_path / "story.meta.json", sidecar)
    with pytest.raises(corpus.ArticleFileError, match=f"^{re.escape(str(path))}: .*{message}"):
        load(path)


@pytest.mark.parametrize("name", ["my story.txt", "-draft.txt", "ünïcode.txt"])
def test_file_names_that_are_not_safe_doc_ids(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, BODY)
    with pytest.raises(
        corpus.ArticleFileError, match=f"doc id {re.escape(repr(path.stem))} is not valid"
    ):
        load(path)


def test_unsupported_file_type_given_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", b"%PDF-1.4")
    with pytest.raises(
        corpus.ArticleFileError,
        match=re.escape(
            f"{path}: unsupported file type '.pdf' (use one of .txt, .md, .json, .jsonl, .jsonl.gz)"
        ),
    ):
        load(path)


def test_only_json_lines_is_read_compressed(tmp_path: Path) -> None:
    path = write_gzip(tmp_path / "story.txt.gz", BODY)
    with pytest.raises(
        corpus.ArticleFileError, match=re.escape(f"{path}: unsupported file type '.gz'")
    ):
        load(path)


# skip_bad


def test_skip_bad_keeps_the_good_and_lists_the_bad(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", BODY)
    bad = write(tmp_path / "bad.txt", b"\x00\x01binary")
    loaded = load(tmp_path, skip_bad=True)
    assert summary(loaded) == [("good", BODY)]
    assert loaded.skipped == (
        corpus.SkippedFile(bad, f"{bad}: looks binary (holds NUL bytes), not a text article"),
    )


def test_skip_bad_lists_every_kind_of_bad_file(tmp_path: Path) -> None:
    write(tmp_path / "a-good.txt", BODY)
    write(tmp_path / "b-latin1.txt", b"Caf\xe9")
    write(tmp_path / "c-empty.md", "   ")
    write(tmp_path / "d-broken.jsonl", "{nope}\n")
    write(tmp_path / "e-plain.jsonl.gz", '{"text": "Not compressed."}\n')
    loaded = load(tmp_path, skip_bad=True)
    assert [a.doc_id for a in loaded.articles] == ["a-good"]
    assert [(s.path.name, s.reason.split(": ", 1)[1][:20]) for s in loaded.skipped] == [
        ("b-latin1.txt", "not UTF-8 text (byte"),
        ("c-empty.md", "article 'c-empty' is"),
        ("d-broken.jsonl", "line 1 is not valid "),
        ("e-plain.jsonl.gz", "not a readable gzip "),
    ]


def test_skip_bad_still_raises_on_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "one" / "story.txt", BODY)
    write(tmp_path / "two" / "story.txt", BODY)
    write(tmp_path / "zz-bad.txt", b"\x00")
    with pytest.raises(corpus.DuplicateDocIdError, match="doc id 'story' is used twice"):
        load(tmp_path, skip_bad=True)


def test_skip_bad_with_nothing_good_left(tmp_path: Path) -> None:
    write(tmp_path / "bad.txt", b"\x00")
    with pytest.raises(corpus.CorpusNotFoundError, match="no readable articles"):
        load(tmp_path, skip_bad=True)


def test_without_skip_bad_the_first_bad_file_raises(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", BODY)
    bad = write(tmp_path / "bad.txt", b"\x00")
    with pytest.raises(corpus.ArticleFileError, match=f"^{re.escape(str(bad))}: looks binary"):
        load(tmp_path)


def test_md_subheading_title_loses_its_hashes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("## Kyiv attack update\n\nDrones hit the city.\n")
    assert corpus.load_articles([tmp_path]).articles[0].title == "Kyiv attack update"
