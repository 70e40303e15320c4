"""Counts said in English: `counted(1, "draw")` is "1 draw", `counted(3, "draw")` "3 draws"."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
