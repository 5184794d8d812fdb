"""Settings come from CROSSCHECK_* variables, checked where they enter."""

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from index import EmbedderKind


def test_slack_settings() -> None:
    settings = Settings.from_environ(
        {
            "CROSSCHECK_SLACK_SIGNING_SECRET": "s",
            "CROSSCHECK_SLACK_BOT_TOKEN": "xoxb-1",
            "CROSSCHECK_SLACK_API_URL": "http://127.0.0.1:9/api/",
            "CROSSCHECK_SLACK_RESPONSE_TYPE": "in_channel",
        }
    )
    assert (settings.slack_signing_secret, settings.slack_bot_token) == ("s", "xoxb-1")
    assert settings.slack_api_url == "http://127.0.0.1:9/api/" and settings.slack_in_channel
    default = Settings.from_environ({})
    assert default.slack_signing_secret is None and not default.slack_in_channel
    assert default.slack_api_url == "https://slack.com/api/"


def test_defaults() -> None:
    settings = Settings.from_environ({})
    assert settings.embedder is EmbedderKind.MINILM
    assert settings.api_key is None
    assert settings.index_dir.name == "index" and "crosscheck" in str(settings.index_dir)
    assert (settings.max_body_bytes, settings.max_message_chars) == (5_000_000, 2_000)
    assert settings.server is None


def test_every_variable_is_read() -> None:
    settings = Settings.from_environ(
        {
            "CROSSCHECK_INDEX_DIR": "/tmp/somewhere",
            "CROSSCHECK_EMBEDDER": "HASH",
            "CROSSCHECK_API_KEY": "k",
            "CROSSCHECK_MAX_BODY_BYTES": "1000",
            "CROSSCHECK_MAX_MESSAGE_CHARS": "50",
        }
    )
    assert settings == Settings(Path("/tmp/somewhere"), EmbedderKind.HASH, "k", 1000, 50)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "CROSSCHECK_EMBEDDER",
            "bert",
            "CROSSCHECK_EMBEDDER has value 'bert': "
            "not one of minilm, minilm-fp32, minilm-torch, hash",
        ),
        (
            "CROSSCHECK_MAX_BODY_BYTES",
            "-5",
            "CROSSCHECK_MAX_BODY_BYTES has value '-5': not a positive",
        ),
        ("CROSSCHECK_MAX_MESSAGE_CHARS", "lots", "CROSSCHECK_MAX_MESSAGE_CHARS has value 'lots'"),
        (
            "CROSSCHECK_SLACK_RESPONSE_TYPE",
            "everyone",
            "not one of ephemeral, in_channel",
        ),
        (
            "CROSSCHECK_SERVER",
            "127.0.0.1:8000",
            "CROSSCHECK_SERVER has value '127.0.0.1:8000': not an http:// or https:// URL",
        ),
        ("CROSSCHECK_SERVER", "http://", "CROSSCHECK_SERVER has value 'http://'"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_environ({name: value})


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:8000", "http://127.0.0.1:8000/", " HTTP://127.0.0.1:8000// "]
)
def test_the_server_url_loses_its_trailing_slash(value: str) -> None:
    server = Settings.from_environ({"CROSSCHECK_SERVER": value}).server
    assert server is not None and server.lower() == "http://127.0.0.1:8000"
