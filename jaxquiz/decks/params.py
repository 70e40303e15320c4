"""Parameters: `$NAME`, `${NAME}`, `${arithmetic}` and `$$` in a question's text, and drawing
their values."""

from __future__ import annotations

import ast
import itertools
import random
import re
from collections.abc import Iterator, Mapping, Sequence

from jaxquiz.decks.models import QuestionBase, Scalar

# The keys whose text may hold parameters (DECK_FORMAT.md, "Parameters").
SUBSTITUTED_KEYS = frozenset(
    ("prompt", "code", "answer", "expect", "solution", "wrong", "options", "hint", "explain")
)

# `check` runs every combination up to this many, else this many seeded draws.
MAX_CHECKED_DRAWS = 16

# `$$`, `${...}` (a name or arithmetic) or `$NAME`; a `$` before anything else is left as it is.
_PLACEHOLDER = re.compile(r"\$(?:(\$)|\{([^{}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*")

Draw = dict[str, Scalar]


class ParamExpressionError(ValueError):
    """A `${...}` that cannot be computed: `rule` says why, `fix` what to write instead."""

    def __init__(self, rule: str, fix: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.fix = fix


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
            try:
                tree = ast.parse(braced.strip(), mode="eval")
            except SyntaxError:
                continue  # reported by expression_problems
            names.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
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


# Integer arithmetic only, bounded so that no `${...}` can hang the loader (`${9**9**9}`).
_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
LARGEST = 2**63 - 1
_LONGEST = 200  # characters: no deep recursion over a pathological expression
_FIX = "write integer arithmetic over parameters: + - * // % ** and parentheses, e.g. ${N // 2 + 1}"


def evaluate(expression: str, values: Mapping[str, Scalar]) -> int:
    """The integer a `${...}` computes for one draw; ParamExpressionError when it cannot."""
    if len(expression) > _LONGEST:
        raise ParamExpressionError(f"`${{{expression[:20]}...}}` is too long", "compute it in `code` instead")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ParamExpressionError(
            f"`${{{expression}}}` is not an arithmetic expression ({error.msg})", _FIX
        ) from None
    return _value(tree.body, expression, values)


def _value(node: ast.AST, expression: str, values: Mapping[str, Scalar]) -> int:
    where = f"in `${{{expression}}}`"
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise KeyError(node.id)
        value = values[node.id]
        if type(value) is not int:
            raise ParamExpressionError(
                f"{where}, {node.id} is {value!r}: arithmetic needs integer parameters",
                f"give {node.id} integer values, or use it as ${{{node.id}}} without arithmetic",
            )
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _value(node.operand, expression, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left = _value(node.left, expression, values)
        right = _value(node.right, expression, values)
        symbol = _SYMBOLS[type(node.op)]
        if isinstance(node.op, ast.FloorDiv | ast.Mod) and right == 0:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            raise ParamExpressionError(
                f"{where}, `{symbol}` divides by zero" + (f" when {shown}" if shown else ""),
                "change the expression or the parameter's values so the divisor is never 0",
            )
        if isinstance(node.op, ast.Pow) and right < 0:
            raise ParamExpressionError(
                f"{where}, {left} ** {right} is not an integer", "use a non-negative exponent"
            )
        if isinstance(node.op, ast.Pow) and right > 64 and abs(left) > 1:  # before computing it
            raise ParamExpressionError(f"{where}, {left} ** {right} is too large", "use a smaller exponent")
        result = _OPERATORS[type(node.op)](left, right)
        if abs(result) > LARGEST:
            raise ParamExpressionError(f"{where}, the result {result} is too large", "use smaller numbers")
        return result
    shown = ast.get_source_segment(expression.strip(), node) or type(node).__name__
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        raise ParamExpressionError(f"{where}, `/` gives a float", "use `//`, integer division")
    raise ParamExpressionError(f"{where}, `{shown}` is not allowed", _FIX)


# How many draws the loader computes every `${...}` for; past that, the corner values.
_MAX_PROBED = 4096


def expression_problems(text: str, choices: Mapping[str, Sequence[Scalar]]) -> list[ParamExpressionError]:
    """Every `${...}` of a text that fails for some draw: bad syntax, a forbidden operation,
    a non-integer parameter, division by zero, a result too large. Unknown names are left to
    the caller (see `placeholders`)."""
    problems: list[ParamExpressionError] = []
    for literal, braced, _bare in _PLACEHOLDER.findall(text):
        if literal or not braced or _NAME.fullmatch(braced):
            continue
        names = sorted(placeholders("${" + braced + "}") & set(choices))
        if len(names) < len(placeholders("${" + braced + "}")):
            continue  # an unknown name: reported as such
        for draw_ in _probes({name: choices[name] for name in names}):
            try:
                evaluate(braced, draw_)
            except ParamExpressionError as error:
                problems.append(error)
                break
    return problems


def _probes(choices: Mapping[str, Sequence[Scalar]]) -> Iterator[dict[str, Scalar]]:
    total = 1
    for values in choices.values():
        total *= len(values)
    if total > _MAX_PROBED:  # a huge range: its ends and the values around zero
        choices = {
            name: list(dict.fromkeys([values[0], values[-1], *(v for v in (-1, 0, 1) if v in values)]))
            for name, values in choices.items()
        }
    names = list(choices)
    for combo in itertools.product(*choices.values()):
        yield dict(zip(names, combo, strict=True))


def texts_with_params(question: QuestionBase) -> Iterator[tuple[str, str]]:
    """(key, text) for every text of the question where parameters are replaced."""
    for key in sorted(SUBSTITUTED_KEYS):
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
    """The draws `jaxquiz check` audits: all combinations when few, else seeded draws."""
    choices = question.param_values()
    names = list(choices)
    total = 1
    for values in choices.values():
        total *= len(values)
    if total <= MAX_CHECKED_DRAWS:
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices.values())]
    rng = random.Random(f"{deck_id}/{question.id}")
    return [draw(question, rng) for _ in range(MAX_CHECKED_DRAWS)]
