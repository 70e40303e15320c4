"""Whether a fill's or a puzzle's answer parses: a typo is sent back to the learner (the app, the
CLI) and a `wrong` entry that is one tests no idea (`jaxquiz check`)."""

from __future__ import annotations

import ast

from jaxquiz.blanks import fill_blank
from jaxquiz.decks.models import FillQuestion, PuzzleQuestion, QuestionBase


def syntax_error(question: QuestionBase, answer: str) -> str | None:
    """Why a fill's code with `answer` in the blank, or a puzzle's function, does not parse;
    None when it does (or the question is of another type). `question` is as shown (drawn)."""
    if isinstance(question, FillQuestion):
        try:
            ast.parse(fill_blank(question.code, answer, block=question.input == "block"))
        except SyntaxError as error:
            return f"with your answer in the blank the code is not valid Python ({error.msg})"
    elif isinstance(question, PuzzleQuestion):
        try:
            ast.parse(answer)
        except SyntaxError as error:
            return f"your code is not valid Python: {error.msg} (line {error.lineno})"
    return None
