"""People and programs: settings and the command line (the HTTP API, Slack and web page follow)."""

from bot.cli import main
from bot.settings import Settings, SettingsError

__all__ = ["Settings", "SettingsError", "main"]
