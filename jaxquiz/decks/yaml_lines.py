"""YAML parsing that remembers where every key and item came from (line and column)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import yaml

Path_ = tuple[str | int, ...]
# Keys where a number written without quotes is read as its text: their "value", or their list's "items".
AsWritten = Mapping[str, Literal["value", "items"]]

# libyaml's parser keeps the same marks and is about 15 times faster than the pure-Python one.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Plain values read by YAML 1.2's core schema, as JSON Schema tools and editors read a deck
    (PyYAML reads YAML 1.1): `yes`, `no`, `on`, `off`, `010`'s octal, `1:20` and dates are not
    booleans, numbers or dates but the text written, and `1e-4` is a number."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 (PyYAML's own class attribute)


for _tag, _pattern, _first in (
    (_NULL, r"(?:~|null|Null|NULL|)\Z", "~nN"),
    (_BOOL, r"(?:true|True|TRUE|false|False|FALSE)\Z", "tTfF"),
    (_INT, r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z", "-+0123456789"),
    (
        _FLOAT,
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z",
        "-+0123456789.",
    ),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_Loader.add_implicit_resolver(_NULL, re.compile(r"\Z"), [""])  # an empty value


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    """YAML 1.2's integers: decimal (`010` is ten), `0o17` and `0x1f`."""
    text = loader.construct_scalar(node)
    base = {"0o": 8, "0x": 16}.get(text[:2].lower(), 10)
    try:
        return int(text[2:] if base != 10 else text, base)
    except ValueError:  # an explicit `!!int` on other text, or more digits than Python reads
        raise yaml.constructor.ConstructorError(
            None, None, f"{text[:40]!r} cannot be read as a whole number", node.start_mark
        ) from None


_Loader.add_constructor(_INT, _construct_int)


class Position(NamedTuple):  # a tuple: a deck has thousands, made four times faster than a dataclass
    line: int  # 1-based
    column: int  # 1-based


SYNTAX_FIX = "fix the YAML at that spot (indentation, a missing colon, an unclosed quote)"


class YamlSyntaxError(Exception):
    def __init__(self, what: str, position: Position, fix: str = SYNTAX_FIX) -> None:
        super().__init__(what)
        self.what = what
        self.position = position
        self.fix = fix


# A deck is a few thousand values; aliases that repeat each other ("billion laughs") would
# expand a small file into billions. Building stops at this many.
MAX_VALUES = 100_000
# What YAML does not allow in a file (C0 and C1 controls but tab, newlines and NEL; DEL;
# surrogates; noncharacters): one of these made the parser stop without a position.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def parse(text: str, as_written: AsWritten | None = None) -> tuple[Any, dict[Path_, Position]]:
    """Parse one YAML document into plain data plus the position of every path in it.

    A mapping entry's position is where its key is written, so messages point at the key.
    Duplicate keys are an error: YAML would silently keep the last one. So are control
    characters, keys that are not plain values, and more than MAX_VALUES values.

    A number written without quotes where `as_written` says (the value of a key, or the items of
    its list) is read as the text written (`0.10`, `1e-3`), not as the number YAML makes of it.
    """
    _refuse_control_characters(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        positions: dict[Path_, Position] = {}
        if node is None:
            return None, positions
        return _build(loader, node, (), positions, [MAX_VALUES], as_written or {}), positions
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        context = error.context_mark
        unclosed = _unclosed_quote(text, context.line + 1 if context else where.line, where.line)
        if unclosed is not None:
            until = f"line {where.line}" if where.line <= text.count("\n") else "the end of the file"
            raise YamlSyntaxError(
                f"YAML syntax error: the quote opened here is not closed on its line, so the value "
                f"runs on to {until}, where the parser stopped ({error.problem or error})",
                unclosed,
                "close the quote on this line, or write the value without quotes",
            ) from None
        raise YamlSyntaxError(f"YAML syntax error: {error.problem or error}", where) from None
    except yaml.YAMLError as error:  # a reader error: no mark, but never a crash
        raise YamlSyntaxError(f"YAML error: {error}", Position(1, 1)) from None
    except RecursionError:
        raise YamlSyntaxError(
            "the YAML is nested too deeply",
            Position(1, 1),
            "a deck needs a few levels of nesting, not hundreds",
        ) from None
    finally:
        loader.dispose()


def _unclosed_quote(text: str, first: int, stopped: int) -> Position | None:
    """Where a quoted value opens that is not closed on its line, on the nearest such line from
    line `first` (where what the parser was reading began) to line `stopped` (where it gave up):
    the usual cause of an error far below the mistake. A quoted value may run over lines, but in
    a deck one that does is nearly always a typo."""
    lines = text.splitlines()
    for number in range(min(stopped, len(lines)), first - 1, -1):
        line = lines[number - 1]
        value = _value_of(line)
        if value[:1] not in ("'", '"'):
            continue
        rest = value[1:]
        if value[0] == '"':
            closed = re.search(r'(?<!\\)"', rest) is not None  # `\"` is a quote inside the value
        else:
            closed = "'" in rest.replace("''", "")  # `''` is a quote inside the value
        if not closed:
            return Position(number, len(line) - len(value) + 1)
    return None


def _value_of(line: str) -> str:
    """What a line holds after its list dashes and its key (`- key: "value` gives `"value`),
    read in one pass: a regular expression for it backtracked on a line of many dashes."""
    at = len(line) - len(line.lstrip())
    while line[at : at + 1] == "-" and line[at + 1 : at + 2].isspace():
        at += 2
        while line[at : at + 1].isspace():
            at += 1
    value = line[at:]
    key, colon, after = value.partition(": ")
    if colon and not any(mark in key for mark in "\"'#"):
        value = after.lstrip()
    return value


def _refuse_control_characters(text: str) -> None:
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    code = f"U+{ord(found.group()):04X}"
    raise YamlSyntaxError(
        f"the file holds a control character ({code}), which YAML does not allow",
        Position(line, column),
        f"delete the {code} character at line {line}, column {column} (`cat -A` shows it)",
    )


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _build(
    loader: Any, node: yaml.Node, path: Path_, positions: dict, budget: list[int], as_written: AsWritten
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlSyntaxError(
            f"the file expands to more than {MAX_VALUES:,} values",
            _position(node),
            "a deck holds a few thousand values: split a long deck into several, and write out "
            "`*alias` references that repeat each other (they multiply the file)",
        )
    if path not in positions:  # a mapping's value: its key's position is the entry's
        positions[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(
                    "a key must be a plain value, not a list or mapping",
                    _position(key_node),
                    "write the key as a name, like `code:`",
                )
            key = _scalar(loader, key_node)
            if key in result:
                first = positions[(*path, key)]
                raise YamlSyntaxError(
                    f"duplicate key {key!r}: YAML would keep only the last one",
                    _position(key_node),
                    f"remove one of the two `{key}` keys (the first is on line {first.line})",
                )
            positions[(*path, key)] = _position(key_node)
            result[key] = _build(loader, value_node, (*path, key), positions, budget, as_written)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, i), positions, budget, as_written)
            for i, item in enumerate(node.value)
        ]
    if as_written and isinstance(node, yaml.ScalarNode) and _written_as_text(node, path, as_written):
        return node.value
    return _scalar(loader, node)


def _written_as_text(node: yaml.ScalarNode, path: Path_, as_written: AsWritten) -> bool:
    """Whether a value is a number written without quotes where the text written is wanted (but
    `.inf` and `.nan`, which are YAML's spelling, not Python's)."""
    # A plain scalar's style is None (PyYAML) or "" (libyaml).
    if node.tag not in (_INT, _FLOAT) or node.style or "n" in node.value.lower():
        return False
    if len(path) >= 2 and isinstance(path[-1], int):
        key, wanted = path[-2], "items"
    elif path:
        key, wanted = path[-1], "value"
    else:
        return False
    return isinstance(key, str) and as_written.get(key) == wanted


def _scalar(loader: Any, node: yaml.Node) -> Any:
    # Most values of a deck are text, which YAML's constructor returns as the node's value
    # after a few Python calls each; the rest (numbers, booleans, null) go through it.
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)
