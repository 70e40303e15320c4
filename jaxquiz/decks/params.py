"""Parameters: `$NAME`, `${NAME}`, `${arithmetic}` and `$$` in a question's text, and drawing
their values."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Mapping, Sequence

from jaxquiz.decks.arithmetic import ParamExpressionError, evaluate, first_failure, names_in
from jaxquiz.decks.models import QuestionBase, Scalar

# The keys whose text may hold parameters (DECK_FORMAT.md, "Parameters").
SUBSTITUTED_KEYS = frozenset(
    ("prompt", "code", "answer", "expect", "solution", "wrong", "options", "hint", "explain")
)
_SUBSTITUTED_IN_ORDER = tuple(sorted(SUBSTITUTED_KEYS))

# `check` runs every combination up to this many, else this many seeded draws.
MAX_CHECKED_DRAWS = 16

# `$$`, `${...}` (a name or arithmetic) or `$NAME`; a `$` before anything else is left as it is.
_PLACEHOLDER = re.compile(r"\$(?:(\$)|\{([^{}]+)\}|([A-Za-z_][A-Za-z0-9_]*))")
_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*")

Draw = dict[str, Scalar]


def placeholders(text: str) -> set[str]:
    """The parameter names a text refers to (inside `${...}` arithmetic too)."""
    names: set[str] = set()
    for literal, braced, bare in _PLACEHOLDER.findall(text):
        if literal:
            continue
        if bare:
            names.add(bare)
        elif (plain := _NAME.fullmatch(braced)) is not None:
            names.add(plain.group(1))
        else:
            names |= names_in(braced) or set()  # bad syntax: reported by expression_problems
    return names


def substitute(text: str, values: Mapping[str, Scalar]) -> str:
    """Replace `$NAME`/`${NAME}` by the drawn value, `${...}` by the integer it computes, and
    `$$` by `$`.

    A name that is not in `values` raises KeyError, arithmetic that cannot be computed raises
    ParamExpressionError; the loader rejects such decks first.
    """

    def replace(match: re.Match[str]) -> str:
        literal, braced, bare = match.groups()
        if literal:
            return "$"
        if bare:
            return str(values[bare])
        plain = _NAME.fullmatch(braced)
        if plain is not None:
            return str(values[plain.group(1)])
        return str(evaluate(braced, values))

    return _PLACEHOLDER.sub(replace, text)


def expression_problems(text: str, choices: Mapping[str, Sequence[Scalar]]) -> list[ParamExpressionError]:
    """Every `${...}` of a text that fails for some draw: bad syntax, a forbidden operation,
    a non-integer parameter, division by zero, a result too large. Unknown names are left to
    the caller (see `placeholders`)."""
    problems = []
    for literal, braced, _bare in _PLACEHOLDER.findall(text):
        if literal or not braced or _NAME.fullmatch(braced):
            continue
        names = names_in(braced)  # None: it does not parse, which first_failure says
        if names is not None and not names <= set(choices):
            continue  # an unknown name: reported as such
        problem = first_failure(braced, {name: choices[name] for name in sorted(names or ())})
        if problem is not None:
            problems.append(problem)
    return problems


def texts_with_params(question: QuestionBase) -> Iterator[tuple[str, str]]:
    """(key, text) for every text of the question where parameters are replaced."""
    for key in _SUBSTITUTED_IN_ORDER:
        value = getattr(question, key, None)
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, list):
            for item in value:
                yield key, item


def instantiate(question: QuestionBase, values: Mapping[str, Scalar]) -> QuestionBase:
    """The question as the learner sees it for one draw: every parameter replaced."""
    # Without parameters only `$$` can need replacing; most questions have neither.
    if not question.params and not any("$" in text for _, text in texts_with_params(question)):
        return question
    update: dict[str, object] = {}
    # Only keys the author wrote: defaults hold no parameters, and must stay unset.
    for key in SUBSTITUTED_KEYS & question.model_fields_set:
        value = getattr(question, key, None)
        if isinstance(value, str):
            update[key] = substitute(value, values)
        elif isinstance(value, list):
            update[key] = [substitute(item, values) for item in value]
    return question.model_copy(update=update)


def draw(question: QuestionBase, rng: random.Random) -> Draw:
    """One value per parameter, chosen with `rng`."""
    return {name: rng.choice(choices) for name, choices in question.param_values().items()}


def checked_draws(deck_id: str, question: QuestionBase) -> list[Draw]:
    """The draws `jaxquiz check` audits: all combinations when few; else MAX_CHECKED_DRAWS
    different ones, seeded: every parameter at its first value, every one at its last (a range's
    bounds), then drawn ones."""
    choices = question.param_values()
    names = list(choices)
    total = 1
    for values in choices.values():
        total *= len(values)
    if total <= MAX_CHECKED_DRAWS:
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices.values())]
    rng = random.Random(f"{deck_id}/{question.id}")
    chosen = [0, total - 1]  # combinations by number: each parameter a digit of base len(values)
    while len(chosen) < MAX_CHECKED_DRAWS:
        number = rng.randrange(total)
        if number not in chosen:
            chosen.append(number)
    return [_combination(choices, number) for number in chosen]


def _combination(choices: Mapping[str, Sequence[Scalar]], number: int) -> Draw:
    combination: Draw = {}
    for name in reversed(list(choices)):
        number, index = divmod(number, len(choices[name]))
        combination[name] = choices[name][index]
    return {name: combination[name] for name in choices}
