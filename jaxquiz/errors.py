"""The error hierarchy of jaxquiz: every error says what went wrong, where, and how to fix it."""

from __future__ import annotations


class JaxquizError(Exception):
    """Base of the errors the CLI turns into a message and a non-zero exit."""

    def __init__(self, what: str, *, where: str = "", fix: str = "") -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        head = f"{self.where}: {self.what}" if self.where else self.what
        return f"{head}\n  fix: {self.fix}" if self.fix else head


class DeckError(JaxquizError):
    """A deck or question that cannot be used as written."""


class EngineError(JaxquizError):
    """The execution engine could not run a request at all (not a failed user execution)."""


class StoreError(JaxquizError):
    """The progress database cannot be opened or migrated."""
