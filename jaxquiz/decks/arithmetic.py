"""`${...}` integer arithmetic over parameters: parsed with `ast`, only `+ - * // % **`, integer
constants, parameter names and parentheses, and bounded so that nothing can hang (`${9**9**9}`)."""

from __future__ import annotations

import ast
import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence

from jaxquiz.decks.models import Scalar

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
# How many draws the loader computes an expression for; past that, a spread of each range.
_MAX_PROBED = 4096


class ParamExpressionError(ValueError):
    """A `${...}` that cannot be computed: `rule` says why, `fix` what to write instead."""

    def __init__(self, rule: str, fix: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.fix = fix


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> ast.expr:
    """The expression's tree (shared: it is only read); ParamExpressionError when it is too long
    or not Python. Kept, since loading a deck reads each expression several times per draw."""
    if len(expression) > _LONGEST:
        raise ParamExpressionError(f"`${{{expression[:20]}...}}` is too long", "compute it in `code` instead")
    try:
        return ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as error:
        raise ParamExpressionError(
            f"`${{{expression}}}` is not an arithmetic expression ({error.msg})", _FIX
        ) from None


def names_in(expression: str) -> set[str] | None:
    """The parameter names an expression uses; None when it cannot be parsed."""
    try:
        tree = parse(expression)
    except ParamExpressionError:
        return None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    # A called name (`abs(N)`) is no parameter: the call itself is the mistake, said when computed.
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}


def evaluate(expression: str, values: Mapping[str, Scalar]) -> int:
    """The integer a `${...}` computes for one draw; ParamExpressionError when it cannot, and
    KeyError for a name that is not a parameter."""
    return _value(parse(expression), expression, values)


def first_failure(expression: str, choices: Mapping[str, Sequence[Scalar]]) -> ParamExpressionError | None:
    """Why the expression fails for some draw of the parameters it uses, or None.

    Every combination is computed when there are at most 4096; past that, the ends of each
    range, an even spread between them, and the values around zero and around the constants
    of the expression.
    """
    try:
        tree = parse(expression)
    except ParamExpressionError as error:
        return error
    # A divisor such as `N - 700` is zero at a constant of the expression: those are probed too.
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is int}
    likely = {c + d for c in constants | {0} for d in (-1, 0, 1)} | {-c for c in constants}
    for draw in _probes(choices, likely):
        try:
            _value(tree, expression, draw)
        except ParamExpressionError as error:
            return error
    return None


def _probes(choices: Mapping[str, Sequence[Scalar]], likely: set[int]) -> Iterator[dict[str, Scalar]]:
    total = 1
    for values in choices.values():
        total *= len(values)
    if total > _MAX_PROBED:
        per_name = max(2, int(_MAX_PROBED ** (1 / len(choices))) - len(likely) - 2)
        choices = {name: _spread(values, per_name, likely) for name, values in choices.items()}
    names = list(choices)
    for combo in itertools.product(*choices.values()):
        yield dict(zip(names, combo, strict=True))


def _spread(values: Sequence[Scalar], count: int, likely: set[int]) -> list[Scalar]:
    """About `count` values of a long sequence (a range is never listed whole), with its ends
    and whatever of the `likely` values it holds."""
    step = max(1, len(values) // count)
    picked = [values[i] for i in range(0, len(values), step)]
    return list(dict.fromkeys([*picked, values[-1], *(v for v in sorted(likely) if v in values)]))


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
        _check_operands(node.op, left, right, where, values)
        result = _OPERATORS[type(node.op)](left, right)
        if abs(result) > LARGEST:
            raise ParamExpressionError(f"{where}, the result {result} is too large", "use smaller numbers")
        return result
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        raise ParamExpressionError(f"{where}, `/` gives a float", "use `//`, integer division")
    shown = ast.get_source_segment(expression.strip(), node) or type(node).__name__
    raise ParamExpressionError(f"{where}, `{shown}` is not allowed", _FIX)


def _check_operands(
    op: ast.operator, left: int, right: int, where: str, values: Mapping[str, Scalar]
) -> None:
    """Refuse, before computing it, what would fail or take forever."""
    if isinstance(op, ast.FloorDiv | ast.Mod) and right == 0:
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        raise ParamExpressionError(
            f"{where}, `{_SYMBOLS[type(op)]}` divides by zero" + (f" when {shown}" if shown else ""),
            "change the expression or the parameter's values so the divisor is never 0",
        )
    if isinstance(op, ast.Pow) and right < 0:
        raise ParamExpressionError(
            f"{where}, {left} ** {right} is not an integer", "use a non-negative exponent"
        )
    if isinstance(op, ast.Pow) and right > 64 and abs(left) > 1:
        raise ParamExpressionError(f"{where}, {left} ** {right} is too large", "use a smaller exponent")
