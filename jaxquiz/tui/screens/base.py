"""What every screen of the app shares: the services, and worker errors sent to one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.app import SystemCommand
from textual.screen import Screen
from textual.worker import Worker

from jaxquiz.tui.services import Services

if TYPE_CHECKING:
    from jaxquiz.tui.app import JaxQuizApp

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType], Generic[ResultType]):
    """A screen with the app's services."""

    def __init__(self, services: Services, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.services = services

    @property
    def quiz_app(self) -> JaxQuizApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.quiz_app.report_worker_error(event.worker)

    def commands(self) -> Iterable[SystemCommand]:
        """Extra command palette entries for this screen."""
        return ()
