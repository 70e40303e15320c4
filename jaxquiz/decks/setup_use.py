"""Whether a deck's questions depend on its `setup`: the names it defines, used in their code."""

from __future__ import annotations

import ast
import re

from jaxquiz.decks.models import Deck


def defined_names(setup: str) -> set[str]:
    """The names `setup` binds at its top level (assignments, functions, classes, imports)."""
    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            for child in ast.walk(node):
                if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                    names.add(child.id)
    return names


def setup_is_used(deck: Deck) -> bool:
    """Whether some question's code, answer or solution uses a name the setup defines: then
    the learner needs to see the setup to answer."""
    names = defined_names(deck.setup or "")
    if not names:
        return False
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    for question in deck.questions:
        for key in ("code", "answer", "solution"):
            text = getattr(question, key, None)
            if isinstance(text, str) and word.search(text):
                return True
    return False


def has_lesson(deck: Deck) -> bool:
    """Whether the deck's lesson has something to show: its description, where its material comes
    from (`source`), or a setup its questions use."""
    return bool(deck.description or deck.source or (deck.setup and setup_is_used(deck)))
