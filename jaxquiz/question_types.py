"""The closed set of question types, shared by the deck models, the engine's tasks and the UI.

A leaf like `blanks`: plain Python, so the worker can name the types without the deck models
(pydantic). Code that branches on a type matches on it with `assert_never` in the last case, so
that the type checker lists every place a new type must touch.
"""

from typing import Literal

QuestionType = Literal["shape", "dtype", "value", "raises", "fill", "puzzle", "choice", "card"]
