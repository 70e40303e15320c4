"""A problem found while loading a deck: file, line, question, the rule broken and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoadProblem:
    path: Path
    line: int
    column: int
    question: str | None
    rule: str
    fix: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def __str__(self) -> str:
        where = self.location + (f" [{self.question}]" if self.question else "")
        return f"{where}: {self.rule}\n  fix: {self.fix}"
