"""Which files are deck files, and how large one may be: light enough for the first screen."""

from __future__ import annotations

from pathlib import Path

DECK_SUFFIXES = (".yaml", ".yml")
MAX_DECK_BYTES = 2 * 2**20  # the largest bundled deck is about 26 KiB


def deck_files(folder: Path) -> list[Path]:
    """Every deck file below a folder, in a stable order (hidden folders skipped)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in DECK_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
