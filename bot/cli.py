"""The ``crosscheck`` command line: ``index``, ``search``, ``ask``, ``eval`` and ``serve``.

Every command takes ``--index-dir`` (else ``CROSSCHECK_INDEX_DIR``, else a per-user data
directory) and builds the index from the bundled articles the first time it is needed; ``ask
--server URL`` (else ``CROSSCHECK_SERVER``) asks a running server instead. Errors print one line
on standard error and exit 1; usage errors exit 2.
"""

import argparse
import dataclasses
import io
import json
import os
import re
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.answer_output import print_answer, speaks_unicode
from bot.settings import Settings, SettingsError, parse_enum, server_url
from index import BackendKind, EmbedderKind
from retrieval import Retriever

# Each command imports what it uses inside its function, so `crosscheck --help` and `ask` load
# neither the evaluation harness nor the web server (nor spaCy, for `--help`; nor the index or
# any model, for `ask --server`).
if TYPE_CHECKING:
    from corpus import Article
    from index import Embedder, SearchIndex
    from retrieval import ArticleFilter, Passage

EXIT_ERROR = 1


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    _tolerate_narrow_encodings()
    try:
        settings = _settings(args, os.environ if environ is None else environ)
        command: Callable[[argparse.Namespace, Settings], int] = args.run
        return command(args, settings)
    except KeyboardInterrupt:
        _fail("interrupted; the index is as it was before this command")
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
    except _user_errors() as error:
        _fail(str(error))
    return EXIT_ERROR


def _user_errors() -> tuple[type[Exception], ...]:
    """The errors of what a user gave (articles, index, query, settings): one line, exit 1.

    Imported when one is raised, not before: ``--help`` loads none of the packages' modules.
    """
    from bot.remote_ask import ServerError
    from corpus import CorpusError
    from index import IndexStoreError
    from retrieval import SearchError

    return (CorpusError, IndexStoreError, SearchError, ServerError, SettingsError)


def _tolerate_narrow_encodings() -> None:
    """On a terminal or pipe that cannot show every character (say, ASCII), print a stand-in
    for the rest instead of failing; JSON output escapes them instead (see ``_search``)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index-dir",
        type=Path,
        help="index directory (default: $CROSSCHECK_INDEX_DIR, else a per-user data directory)",
    )
    common.add_argument(
        "--embedder",
        choices=[kind.value for kind in EmbedderKind],
        help="embedding model (default: $CROSSCHECK_EMBEDDER, else minilm); "
        "'hash' is a fast stand-in for tests",
    )
    common.add_argument(
        "--backend",
        choices=[kind.value for kind in BackendKind],
        help="where the archive lives (default: $CROSSCHECK_BACKEND, else embedded: the index "
        "directory); milvus needs --milvus-uri",
    )
    common.add_argument(
        "--milvus-uri",
        help="Milvus to use: a local path (Milvus Lite) or http://host:19530 (default: "
        "$CROSSCHECK_MILVUS_URI)",
    )
    parser = argparse.ArgumentParser(
        prog="crosscheck",
        description="Ask the news coverage of an event; get every figure with its exact words.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser(
        "index", parents=[common], help="index articles (default: the bundled articles)"
    )
    index.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="article files or folders (.txt, .md, .json, .jsonl)",
    )
    index.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild even if up to date; with no PATH, from the articles the index holds "
        "(posted ones too; the bundled articles if it holds none)",
    )
    index.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip files that cannot be read, printing why, instead of stopping",
    )
    index.add_argument(
        "--no-annotations",
        action="store_true",
        help="do not read each article's figures and entities now (a faster build; answers "
        "then read them when a question needs them)",
    )
    index.add_argument(
        "--verify",
        action="store_true",
        help="check every byte of the live index against the digests written with it, and "
        "every chunk and posting, then exit (builds nothing)",
    )
    index.set_defaults(run=_index)

    search = commands.add_parser("search", parents=[common], help="search the indexed articles")
    search.add_argument("query", help="what to search for")
    search.add_argument("-k", type=int, default=10, help="number of passages (default 10)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument(
        "--retriever",
        choices=[r.value for r in Retriever],
        default=Retriever.HYBRID.value,
        help="ranking to use (default hybrid)",
    )
    search.set_defaults(run=_search)

    ask = commands.add_parser(
        "ask", parents=[common], help="answer a question with every figure the sources give"
    )
    ask.add_argument("question", help="what to ask, e.g. 'how many people were injured?'")
    ask.add_argument(
        "--after",
        action="append",
        default=[],
        metavar="QUESTION",
        help="an earlier question of the conversation (repeat, oldest first) for follow-ups",
    )
    ask.add_argument(
        "--source",
        action="append",
        metavar="OUTLET",
        help="use only articles from this outlet (repeat for several; any case)",
    )
    ask.add_argument("--since", type=_iso_date, metavar="DATE", help="only articles from DATE on")
    ask.add_argument("--until", type=_iso_date, metavar="DATE", help="only articles up to DATE")
    ask.add_argument(
        "--json",
        action="store_true",
        help="print the answer object as JSON (with --server too: the same object, without "
        "the conversation_id /chat adds)",
    )
    ask.add_argument(
        "--server",
        metavar="URL",
        help="ask the crosscheck server at URL (POST /chat) instead of loading the index here, "
        "so the answer comes in a fraction of the time; sends $CROSSCHECK_API_KEY as its "
        "bearer token when set (default: $CROSSCHECK_SERVER; --index-dir and --embedder "
        "cannot be used with it: the server has its own)",
    )
    ask.set_defaults(run=_ask, usage_error=ask.error)

    evaluation = commands.add_parser(
        "eval", parents=[common], help="score answers against question-answer pairs"
    )
    evaluation.add_argument("qa_file", type=Path, metavar="QA_FILE", help="pairs (JSONL)")
    source = evaluation.add_mutually_exclusive_group()
    source.add_argument(
        "--corpus",
        type=Path,
        metavar="PATH",
        help="index these articles (a file such as .jsonl.gz, or a folder) for the run, into "
        "--index-dir or a temporary folder (default: the corpus named in QA_FILE's header, "
        "else the articles already indexed)",
    )
    source.add_argument("--against", metavar="URL", help="evaluate a running server instead")
    evaluation.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    evaluation.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown report")
    evaluation.add_argument(
        "--retrievers",
        default="hybrid",
        help="comma-separated retrievers to compare side by side (bm25,dense,hybrid)",
    )
    evaluation.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="a threshold (repeat); overrides the file's header. Exit 1 when one is missed",
    )
    evaluation.set_defaults(run=_eval)

    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        help="copy the embedded index (--index-dir) into Milvus (--milvus-uri) without "
        "embedding again",
    )
    migrate.set_defaults(run=_migrate)

    serve = commands.add_parser(
        "serve", parents=[common], help="serve the chat API and the chat page"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log each request on standard error ('\"GET /health HTTP/1.1\" 200'); off by default",
    )
    serve.set_defaults(run=_serve)
    return parser


def _settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    # The options override their variables; every other setting (API key, limits, Slack) stays.
    settings = Settings.from_environ(environ)
    if args.index_dir is not None:
        settings = dataclasses.replace(settings, index_dir=args.index_dir)
    if args.embedder is not None:
        kind = parse_enum(EmbedderKind, args.embedder, "--embedder")
        settings = dataclasses.replace(settings, embedder=kind)
    if args.milvus_uri is not None:
        settings = dataclasses.replace(settings, milvus_uri=args.milvus_uri)
    if args.backend is not None:
        backend = parse_enum(BackendKind, args.backend, "--backend")
        settings = dataclasses.replace(settings, backend=backend)
    if settings.backend is BackendKind.MILVUS and not settings.milvus_uri:
        raise SettingsError("the milvus backend needs --milvus-uri (or CROSSCHECK_MILVUS_URI)")
    return settings


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from corpus import bundled_articles_dir, load_articles
    from index import build_index, make_embedder
    from retrieval import FigureAnnotator

    if args.verify:
        if settings.backend is BackendKind.MILVUS:
            raise SettingsError("--verify checks an embedded index; Milvus checks its own data")
        return _verify(args, settings)
    articles = _held(settings) if args.rebuild and not args.paths else []
    if not articles:
        corpus = load_articles(args.paths or [bundled_articles_dir()], skip_bad=args.skip_bad)
        for skipped in corpus.skipped:
            print(f"crosscheck: skipped {skipped.reason}", file=sys.stderr)
        articles = list(corpus.articles)
    embedder = make_embedder(settings.embedder)
    annotator = None if args.no_annotations else FigureAnnotator()
    if settings.backend is BackendKind.MILVUS:
        from index.milvus import MilvusArchive, load_archive

        started = time.monotonic()
        archive = MilvusArchive(str(settings.milvus_uri))
        chunks = load_archive(archive, articles, embedder, annotator=annotator, progress=True)
        print(
            f"loaded {len(articles)} articles ({chunks} chunks) into Milvus at "
            f"{settings.milvus_uri} in {time.monotonic() - started:.1f} s"
        )
        return 0
    report = build_index(
        articles,
        settings.index_dir,
        embedder,
        rebuild=args.rebuild,
        progress=True,
        annotator=None if args.no_annotations else FigureAnnotator(),
    )
    if report.built:
        print(
            f"indexed {report.articles} articles ({report.chunks} chunks) into "
            f"{report.index_dir} in {report.seconds:.1f} s"
        )
    else:
        print(
            f"the index in {report.index_dir} is up to date "
            f"({report.articles} articles, {report.chunks} chunks)"
        )
    return 0


def _held(settings: Settings) -> "list[Article]":
    """The articles the index already holds (posted ones too), for a rebuild with no PATH."""
    from index.holdings import held_articles

    articles = held_articles(settings.index_dir)
    if articles:
        print(
            f"crosscheck: rebuilding from the {len(articles)} articles the index in "
            f"{settings.index_dir} holds",
            file=sys.stderr,
        )
    return articles


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from index import make_embedder, open_index
    from index.milvus import MilvusArchive, migrate

    if not settings.milvus_uri:
        raise SettingsError("migrate needs --milvus-uri (or CROSSCHECK_MILVUS_URI)")
    started = time.monotonic()
    index = open_index(settings.index_dir, make_embedder(settings.embedder))
    chunks = migrate(index, MilvusArchive(settings.milvus_uri), progress=True)
    print(
        f"copied {len(index.articles)} articles ({chunks} chunks) from {settings.index_dir} "
        f"into Milvus at {settings.milvus_uri} in {time.monotonic() - started:.1f} s, "
        "embedding nothing"
    )
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from index import verify_index

    if args.paths or args.rebuild:
        raise SettingsError("--verify checks the live index: give no PATH and no --rebuild")
    index = verify_index(settings.index_dir)
    files = index.manifest.files
    print(
        f"the index in {settings.index_dir} is intact: {index.version}, "
        f"{len(index.articles)} articles, {index.chunk_count} chunks; the base's {len(files)} "
        f"files ({sum(f.bytes for f in files.values()):,} bytes) and "
        f"{len(index.segments)} segments match their digests, the article store its checks"
    )
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from index import make_embedder
    from index.bm25_top import asking_once
    from retrieval import HybridSearcher, check_search

    check_search(args.query, args.k)  # before a first build, not after
    asking_once()
    embedder = make_embedder(settings.embedder)
    index = _open_or_build(settings, embedder)
    searcher = HybridSearcher(index, embedder)
    passages = searcher.search(args.query, args.k, Retriever(args.retriever))
    if args.json:
        json.dump(
            {"query": args.query, "passages": [_passage_json(p) for p in passages]},
            sys.stdout,
            ensure_ascii=not speaks_unicode(sys.stdout),
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        _print_passages(passages, index, sys.stdout)
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import check_search

    check_search(args.question, 1)  # before a first build, not after
    server = server_url(args.server, "--server") if args.server is not None else settings.server
    if server is not None:
        answer = _ask_server(args, settings, server)
    else:
        answer = _ask_here(args, settings)
    print_answer(answer, sys.stdout, as_json=args.json)
    return 0


def _ask_here(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The answer object, from the index loaded in this process."""
    from index import make_embedder
    from index.bm25_top import asking_once
    from retrieval import AnswerEngine

    asking_once()
    embedder = make_embedder(settings.embedder)
    engine = AnswerEngine(_open_or_build(settings, embedder), embedder)
    return engine.ask(args.question, args.after, _article_filter(args)).to_json()


def _ask_server(args: argparse.Namespace, settings: Settings, server: str) -> dict[str, Any]:
    """The answer object, from the server at ``server``; exits 2 naming an option that only
    an index in this process could honour."""
    from bot.remote_ask import ask_server

    for option, value in (("--index-dir", args.index_dir), ("--embedder", args.embedder)):
        if value is not None:
            args.usage_error(
                f"{option} cannot be used when asking a server ({server}): it answers from its "
                f"own index; leave {option} out, or leave out --server and $CROSSCHECK_SERVER to "
                "ask here"
            )
    filters = {
        name: value
        for name, value in (("sources", args.source), ("since", args.since), ("until", args.until))
        if value is not None
    }
    return ask_server(
        server, args.question, after=args.after, filters=filters or None, api_key=settings.api_key
    )


def _article_filter(args: argparse.Namespace) -> "ArticleFilter | None":
    from retrieval import ArticleFilter

    if args.source is None and args.since is None and args.until is None:
        return None
    sources = frozenset(args.source) if args.source is not None else None
    return ArticleFilter(sources=sources, since=args.since, until=args.until)


def _iso_date(value: str) -> str:
    """``value`` if it is a date written YYYY-MM-DD (as articles' dates are, and as ``/chat``
    takes them)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD")
    return value


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import (
        EvalFormatError,
        LocalAnswerer,
        RemoteAnswerer,
        evaluate,
        read_qa_file,
    )
    from bot.evaluation.report import format_table, gate, json_report, markdown_report
    from corpus import CorpusNotFoundError, load_articles
    from index import build_index, make_embedder, open_index
    from retrieval import AnswerConfig, AnswerEngine, FigureAnnotator

    try:
        qa = read_qa_file(args.qa_file)
    except EvalFormatError as error:
        _fail(str(error))
        return EXIT_ERROR
    _check_metric_names(qa.thresholds, f"the header of {args.qa_file}")
    overrides = _thresholds(args.min)
    _check_metric_names(overrides, "--min")
    thresholds = {**qa.thresholds, **overrides}
    retrievers = [
        parse_enum(Retriever, name, "--retrievers") for name in args.retrievers.split(",")
    ]
    corpus_path = args.corpus
    if corpus_path is None and qa.corpus is not None and not args.against:
        corpus_path = qa.corpus
        if not corpus_path.exists():
            raise CorpusNotFoundError(
                f"{corpus_path}: no such file or folder (the corpus named in the header of "
                f"{args.qa_file}; --corpus PATH gives another)"
            )
    runs = []
    if args.against:
        remote = RemoteAnswerer(args.against, settings.api_key)
        try:
            runs.append(evaluate(qa, remote, "server", progress=True))
        finally:
            remote.close()
    else:
        with tempfile.TemporaryDirectory(prefix="crosscheck-eval-") as scratch:
            embedder = make_embedder(settings.embedder)
            index: SearchIndex
            if corpus_path is not None and settings.backend is BackendKind.MILVUS:
                from index.milvus import MilvusArchive, load_archive

                corpus = load_articles([corpus_path])
                archive = MilvusArchive(str(settings.milvus_uri))
                load_archive(
                    archive, corpus.articles, embedder, annotator=FigureAnnotator(), progress=True
                )
                index = archive.open(embedder.name, embedder.dimension)
            elif corpus_path is not None:
                index_dir = args.index_dir or Path(scratch)
                corpus = load_articles([corpus_path])
                build_index(
                    corpus.articles, index_dir, embedder, progress=True, annotator=FigureAnnotator()
                )
                index = open_index(index_dir, embedder)
            else:
                index = _open_or_build(settings, embedder)
            for retriever in retrievers:
                engine = AnswerEngine(index, embedder, AnswerConfig(retriever=retriever))
                answerer = LocalAnswerer(index, engine)
                runs.append(evaluate(qa, answerer, retriever.value, progress=True))
    print(format_table(runs))
    if args.json is not None:
        args.json.write_text(json.dumps(json_report(runs), indent=2) + "\n", encoding="utf-8")
    if args.markdown is not None:
        pairs = {pair.id: pair for pair in qa.pairs}
        args.markdown.write_text(markdown_report(runs, pairs), encoding="utf-8")
    gated = next((r for r in runs if r.name in ("hybrid", "server")), runs[0])
    missed = gate(gated.summary, thresholds)
    for line in missed:
        print(f"crosscheck: below threshold: {line}", file=sys.stderr)
    failing = [s for s in gated.scores if s.problems]
    for score in failing:
        print(f"  {score.id}: {'; '.join(score.problems)}", file=sys.stderr)
    return EXIT_ERROR if missed else 0


def _check_metric_names(thresholds: Mapping[str, float], where: str) -> None:
    from bot.evaluation.report import METRICS

    unknown = sorted(set(thresholds) - set(METRICS))
    if unknown:
        raise SettingsError(
            f"{where}: no metric named {', '.join(map(repr, unknown))} "
            f"(use one of {', '.join(METRICS)})"
        )


def _thresholds(items: Sequence[str]) -> dict[str, float]:
    thresholds = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise SettingsError(f"--min {item!r}: expected METRIC=NUMBER") from None
    return thresholds


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.api import create_app
    from bot.serving import serve, url_of

    print(
        f"crosscheck: serving on {url_of(args.host, args.port)}; loading the index in "
        f"{settings.index_dir}",
        file=sys.stderr,
        flush=True,
    )
    serve(create_app(settings), args.host, args.port, access_log=args.access_log, out=sys.stdout)
    return 0


def _open_or_build(settings: Settings, embedder: "Embedder") -> "SearchIndex":
    from corpus import bundled_articles_dir, load_articles
    from index import build_index, make_backend
    from retrieval import FigureAnnotator

    backend = make_backend(settings.backend, settings.index_dir, settings.milvus_uri)
    if not backend.exists():
        corpus = load_articles([bundled_articles_dir()])
        where = (
            settings.milvus_uri if settings.backend is BackendKind.MILVUS else settings.index_dir
        )
        print(
            f"crosscheck: no index in {where} yet; indexing the "
            f"{len(corpus.articles)} bundled articles (once)",
            file=sys.stderr,
        )
        if settings.backend is BackendKind.MILVUS:
            backend.build(corpus.articles, embedder, FigureAnnotator())
        else:
            build_index(
                corpus.articles,
                settings.index_dir,
                embedder,
                progress=True,
                annotator=FigureAnnotator(),
            )
    index: SearchIndex = backend.open(embedder)
    return index


def _passage_json(passage: "Passage") -> dict[str, object]:
    return {
        "doc_id": passage.doc_id,
        "source": passage.source,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
        "score": round(passage.score, 6),
        "bm25_rank": passage.bm25_rank,
        "dense_rank": passage.dense_rank,
    }


def _print_passages(passages: Sequence["Passage"], index: "SearchIndex", out: TextIO) -> None:
    if not passages:
        print("no passages found", file=out)
    for number, passage in enumerate(passages, start=1):
        article = index.articles[passage.doc_id]
        where = " · ".join(
            part for part in (passage.doc_id, passage.source, article.date) if part is not None
        )
        ranks = ", ".join(
            f"{name} #{rank}"
            for name, rank in (("bm25", passage.bm25_rank), ("dense", passage.dense_rank))
            if rank is not None
        )
        print(
            f"{number:2}. [{where}] chars {passage.start}-{passage.end}, "
            f"score {passage.score:.4f}" + (f" ({ranks})" if ranks else ""),
            file=out,
        )
        body = " ".join(passage.text.split())
        print(textwrap.indent(textwrap.fill(body, width=96), "    "), file=out)


def _fail(message: str) -> None:
    print(f"crosscheck: error: {message}", file=sys.stderr)
