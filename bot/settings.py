"""Settings from ``CROSSCHECK_*`` environment variables: the only place that reads them."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TypeVar

import platformdirs

from index import BackendKind, EmbedderKind

E = TypeVar("E", bound=Enum)


class SettingsError(ValueError):
    """An environment variable has a value crosscheck cannot use."""


@dataclass(frozen=True)
class Settings:
    """Run-wide settings.

    ``index_dir``: where the index lives (``CROSSCHECK_INDEX_DIR``; default a per-user data
    directory). ``embedder``: ``minilm`` (the real model, default) or ``hash`` (a fast
    deterministic stand-in, for tests) (``CROSSCHECK_EMBEDDER``). ``api_key``: when set, API
    routes need ``Authorization: Bearer <key>`` (``CROSSCHECK_API_KEY``).
    ``max_body_bytes``: larger request bodies get 413 (``CROSSCHECK_MAX_BODY_BYTES``).
    ``max_message_chars``: longer chat messages get 422 (``CROSSCHECK_MAX_MESSAGE_CHARS``).
    Slack: ``slack_signing_secret`` (``CROSSCHECK_SLACK_SIGNING_SECRET``; without it the Slack
    routes answer 503), ``slack_bot_token`` (``CROSSCHECK_SLACK_BOT_TOKEN``), ``slack_api_url``
    (``CROSSCHECK_SLACK_API_URL``, Slack's own by default), ``slack_in_channel``: slash-command
    answers visible to the channel rather than only to the asker
    (``CROSSCHECK_SLACK_RESPONSE_TYPE`` = ``in_channel`` or ``ephemeral``, the default).
    ``max_article_bytes``: a posted article whose text is longer in UTF-8 gets 413
    (``CROSSCHECK_MAX_ARTICLE_BYTES``). ``max_turns``: an OpenAI request with more messages gets
    422 (``CROSSCHECK_MAX_TURNS``). ``rate_limit``: requests per minute per client address,
    beyond which the API answers 429 with ``Retry-After``; 0 turns it off
    (``CROSSCHECK_RATE_LIMIT``). ``server``: the URL of a running ``crosscheck serve`` that
    ``crosscheck ask`` sends its questions to instead of loading the index itself
    (``CROSSCHECK_SERVER``; default none: ask in-process). ``merge_segments``: a server merges
    the segments its ingests and deletes write into a new base, in the background, once there
    are more than this many (or they hold more than 5% of the base's chunks); 0: never on its
    own (``CROSSCHECK_MERGE_SEGMENTS``, default 100). ``backend``: where the archive lives,
    ``embedded`` (the index directory, default) or ``milvus`` (``CROSSCHECK_BACKEND``), and
    ``milvus_uri`` for the latter: a local path runs Milvus Lite in-process, ``http://host:19530``
    is a Milvus server or cluster (``CROSSCHECK_MILVUS_URI``).
    """

    index_dir: Path
    embedder: EmbedderKind = EmbedderKind.MINILM
    api_key: str | None = None
    max_body_bytes: int = 5_000_000
    max_message_chars: int = 2_000
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_in_channel: bool = False
    max_article_bytes: int = 1_000_000
    max_turns: int = 200
    rate_limit: int = 1_200
    server: str | None = None
    merge_segments: int = 100
    backend: BackendKind = BackendKind.EMBEDDED
    milvus_uri: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Settings":
        """Read settings from ``environ`` (pass ``os.environ``, or a dict in tests).

        Raises:
            SettingsError: a variable is set to an invalid value; the message names it.
        """
        index_dir = environ.get("CROSSCHECK_INDEX_DIR") or default_index_dir()
        embedder = parse_enum(
            EmbedderKind, environ.get("CROSSCHECK_EMBEDDER", "minilm"), "CROSSCHECK_EMBEDDER"
        )
        backend = parse_enum(
            BackendKind, environ.get("CROSSCHECK_BACKEND", "embedded"), "CROSSCHECK_BACKEND"
        )
        milvus_uri = environ.get("CROSSCHECK_MILVUS_URI") or None
        if backend is BackendKind.MILVUS and milvus_uri is None:
            raise SettingsError(
                "CROSSCHECK_BACKEND is milvus but CROSSCHECK_MILVUS_URI is not set: give a local "
                "path (Milvus Lite) or http://host:19530 (a Milvus server or cluster)"
            )
        return cls(
            index_dir=Path(index_dir).expanduser(),
            embedder=embedder,
            api_key=environ.get("CROSSCHECK_API_KEY") or None,
            max_body_bytes=_positive(environ, "CROSSCHECK_MAX_BODY_BYTES", 5_000_000),
            max_message_chars=_positive(environ, "CROSSCHECK_MAX_MESSAGE_CHARS", 2_000),
            slack_signing_secret=environ.get("CROSSCHECK_SLACK_SIGNING_SECRET") or None,
            slack_bot_token=environ.get("CROSSCHECK_SLACK_BOT_TOKEN") or None,
            slack_api_url=environ.get("CROSSCHECK_SLACK_API_URL") or "https://slack.com/api/",
            slack_in_channel=_response_type(environ.get("CROSSCHECK_SLACK_RESPONSE_TYPE")),
            max_article_bytes=_positive(environ, "CROSSCHECK_MAX_ARTICLE_BYTES", 1_000_000),
            max_turns=_positive(environ, "CROSSCHECK_MAX_TURNS", 200),
            rate_limit=_whole(environ, "CROSSCHECK_RATE_LIMIT", 1_200),
            server=server_url(environ.get("CROSSCHECK_SERVER") or None, "CROSSCHECK_SERVER"),
            merge_segments=_whole(environ, "CROSSCHECK_MERGE_SEGMENTS", 100),
            backend=backend,
            milvus_uri=milvus_uri,
        )


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if value is None or value == "":
        return default
    if not value.strip().isdigit() or int(value) <= 0:
        raise SettingsError(f"{name} has value {value!r}: not a positive whole number")
    return int(value)


def _whole(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if value is None or value == "":
        return default
    if not value.strip().isdigit():
        raise SettingsError(f"{name} has value {value!r}: not a whole number (0 or more)")
    return int(value)


def _response_type(value: str | None) -> bool:
    if value in (None, "", "ephemeral"):
        return False
    if value == "in_channel":
        return True
    raise SettingsError(
        f"CROSSCHECK_SLACK_RESPONSE_TYPE has value {value!r}: not one of ephemeral, in_channel"
    )


def server_url(value: str | None, name: str) -> str | None:
    """``value`` as a server's base URL without a trailing slash (None stays None).

    Raises:
        SettingsError: ``value`` is not an ``http://`` or ``https://`` URL with a host; the
            message names ``name`` (the variable or option it came from) and the value.
    """
    if value is None:
        return None
    scheme, _, rest = value.strip().partition("://")
    if scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise SettingsError(
            f"{name} has value {value!r}: not an http:// or https:// URL "
            "(e.g. http://127.0.0.1:8000)"
        )
    return value.strip().rstrip("/")


def default_index_dir() -> Path:
    """The per-user default index directory, e.g. ``~/.local/share/crosscheck/index``."""
    return platformdirs.user_data_path("crosscheck") / "index"


def parse_enum(kind: type[E], value: str, name: str) -> E:
    """``kind(value)``, or a SettingsError naming ``name``, the value and the valid choices."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise SettingsError(f"{name} has value {value!r}: not one of {choices}") from None
