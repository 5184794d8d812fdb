"""The app's state: what every route reads besides its request, in one typed record.

``create_app`` attaches an ``AppState`` to the app once; routes take it as a ``State``
parameter (a FastAPI dependency), background work and tests through ``app_state(app)``.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.applications import Starlette

from bot.conversations import ConversationStore
from bot.seen_events import SeenEvents
from bot.service import CrossCheck
from bot.settings import Settings

# Names the index version (generation) a response was computed from: every answer is drawn
# from one version, and a write's response names the version that holds it.
VERSION_HEADER = "X-Crosscheck-Index-Version"


@dataclass(frozen=True)
class AppState:
    """The service (index and answer engine), the conversations, the settings, and the Slack
    events already answered."""

    crosscheck: CrossCheck
    conversations: ConversationStore
    settings: Settings
    slack_seen: SeenEvents


def attach_state(app: Starlette, state: AppState) -> None:
    """Make ``state`` the app's state, read back by ``app_state``."""
    app.state.crosscheck = state


def app_state(app: Starlette) -> AppState:
    """The state ``attach_state`` gave the app.

    Raises:
        RuntimeError: the app has none (it was not made by ``create_app``).
    """
    state = getattr(app.state, "crosscheck", None)
    if not isinstance(state, AppState):
        raise RuntimeError("the app has no crosscheck state: make it with bot.api.create_app")
    return state


def _request_state(request: Request) -> AppState:
    return app_state(request.app)


State = Annotated[AppState, Depends(_request_state)]
"""A route parameter of this type receives the app's state."""
