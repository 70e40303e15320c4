"""Loading deck files: YAML with line numbers, validated by the format models.

Every problem names the file, line and column, the question id, the rule and the fix. Loading
many files never stops at a broken one: the good decks come back with the list of problems.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from jaxquiz.decks.files import MAX_DECK_BYTES, deck_files
from jaxquiz.decks.loaded import LoadedDeck, LoadResult
from jaxquiz.decks.models import (
    ANSWER_TEXT_KEYS,
    ID_PATTERN,
    MAX_DEVICES,
    PARAM_LIST_TAG,
    PARAM_RANGE_TAG,
    QUESTION_MODELS,
    Deck,
    QuestionBase,
    repeated_option,
)
from jaxquiz.decks.params import (
    checked_draws,
    expression_problems,
    instantiate,
    placeholders,
    texts_with_params,
)
from jaxquiz.decks.problems import LoadProblem
from jaxquiz.decks.puzzle_inputs import PUZZLE_TAGS
from jaxquiz.errors import DeckError

if TYPE_CHECKING:
    from jaxquiz.decks import yaml_lines
    from jaxquiz.decks.cache import DeckCache

TYPES = ", ".join(QUESTION_MODELS)
# Parts of a pydantic error location that name a member of a union, not a key of the data.
UNION_TAGS = frozenset((*QUESTION_MODELS, PARAM_LIST_TAG, PARAM_RANGE_TAG, *PUZZLE_TAGS))


class DeckLoadError(DeckError):
    """A deck file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[LoadProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first.rule + more, where=first.location, fix=first.fix)

    @property
    def message(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def load_deck_file(path: Path, origin: str = "path") -> LoadedDeck:
    """Load and validate one deck file, or raise DeckLoadError listing its problems."""
    return load_deck_bytes(read_deck_bytes(path), path, origin)


def read_deck_bytes(path: Path) -> bytes:
    """A deck file's exact bytes, or DeckLoadError when it cannot be read."""
    try:
        with Path(path).open("rb") as file:
            return file.read(MAX_DECK_BYTES + 1)  # never more: the file may be anything
    except OSError as error:
        raise _unreadable(path, error) from None


def load_deck_bytes(data: bytes, path: Path, origin: str = "path") -> LoadedDeck:
    """Validate a deck file's content as read; the deck keeps the hash of these very bytes."""
    loaded = load_deck_text(decode_deck(path, data), path, origin)
    return dataclasses.replace(loaded, digest=hashlib.sha256(data).hexdigest())


def decode_deck(path: Path, data: bytes) -> str:
    """A deck file's text, read as `open()` reads text: UTF-8, any line ending becoming \\n.

    Raises DeckLoadError for a file too large to be a deck or not UTF-8, naming where.
    """
    if len(data) > MAX_DECK_BYTES:
        raise DeckLoadError(
            [
                LoadProblem(
                    path,
                    1,
                    1,
                    None,
                    f"the file is larger than {MAX_DECK_BYTES // 2**20} MiB, more than any deck needs",
                    "split it into several decks, or check that it is the deck you meant",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DeckLoadError(
            [
                LoadProblem(
                    path,
                    line,
                    error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1,
                    None,
                    f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})",
                    "save it as UTF-8",
                )
            ]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unreadable(path: Path, error: Exception) -> DeckLoadError:
    return DeckLoadError([LoadProblem(path, 1, 1, None, f"cannot read the file: {error}", "check the path")])


def load_deck_text(text: str, path: Path, origin: str = "path") -> LoadedDeck:
    """Validate deck text; `path` is used in messages."""
    # Imported here: a start whose decks all come from the cache parses no YAML.
    from jaxquiz.decks import yaml_lines

    try:
        data, positions = yaml_lines.parse(text, as_written=ANSWER_TEXT_KEYS)
    except yaml_lines.YamlSyntaxError as error:
        where = error.position
        question = _question_written_above(text, where.line)
        raise DeckLoadError(
            [LoadProblem(path, where.line, where.column, question, error.what, error.fix)]
        ) from None
    if not isinstance(data, dict):
        raise DeckLoadError(
            [
                LoadProblem(
                    path,
                    1,
                    1,
                    None,
                    "a deck must be a YAML mapping",
                    "start with `format: 1`, `deck: my-deck`, `title: ...` and `questions:`",
                )
            ]
        )
    context = _Context(path, data, positions, text)
    try:
        deck = Deck.model_validate(data)
    except ValidationError as error:
        errors = _without_misspelled(error.errors(), context)
        raise DeckLoadError([context.problem_from(e) for e in errors]) from None
    problems = _check_deck_rules(deck, context)
    if problems:
        raise DeckLoadError(problems)
    lines = {q.id: context.position(("questions", i)).line for i, q in enumerate(deck.questions)}
    return LoadedDeck(deck, path, origin, lines)


_QUESTION_START = re.compile(r"\s*-\s+id:\s*([\"']?)([a-z0-9][a-z0-9-]*)\1\s*(?:#.*)?")


def _question_written_above(text: str, line: int) -> str | None:
    """The id of the question whose `- id:` line is the last one above `line` (a file that does
    not parse has no questions to ask, but most of its lines are still where they were)."""
    lines = text.splitlines()[:line]
    if not any(row.startswith("questions:") for row in lines):
        return None
    for row in reversed(lines):
        found = _QUESTION_START.fullmatch(row)
        if found:
            return found.group(2)
        if row.startswith("questions:"):
            return None
    return None


def block_starts(path: Path, question_id: str) -> dict[str, int]:
    """The file lines where the text of a question's `code` and of its deck's `setup` begins
    (the line after `code: |`, or the line of `code: x = 1`), for messages about a line of it.
    Only those found; nothing when the file no longer parses."""
    from jaxquiz.decks import yaml_lines

    try:
        text = path.read_text(encoding="utf-8")
        data, positions = yaml_lines.parse(text)
        ids = [q.get("id") if isinstance(q, dict) else None for q in data["questions"]]
        index = ids.index(question_id)
    except (OSError, UnicodeDecodeError, yaml_lines.YamlSyntaxError, TypeError, KeyError, ValueError):
        return {}
    lines = text.splitlines()
    starts = {}
    for name, where in (("code", ("questions", index, "code")), ("setup", ("setup",))):
        if where in positions and positions[where].line <= len(lines):
            key_line = positions[where].line
            value = lines[key_line - 1].split(":", 1)[-1].strip()
            starts[name] = key_line + 1 if value[:1] in ("|", ">") else key_line
    return starts


def load_decks(sources: Iterable[tuple[Path, str]], cache: DeckCache | None = None) -> LoadResult:
    """Load deck files or folders, each with its origin; duplicate deck ids are problems.

    With a `cache`, a file whose exact bytes were loaded before is not parsed again.
    """
    load = cache.load if cache is not None else load_deck_file
    result = LoadResult()
    seen: dict[str, LoadedDeck] = {}
    for source, origin in sources:
        files = deck_files(source) if source.is_dir() else [source]
        if not source.exists():
            result.problems.append(
                LoadProblem(source, 1, 1, None, "no such file or folder", "check the path")
            )
            continue
        for path in files:
            try:
                loaded = load(path, origin)
            except DeckLoadError as error:
                result.problems.extend(error.problems)
                continue
            first = seen.get(loaded.id)
            if first is not None:
                if first.path.resolve() != path.resolve():
                    result.problems.append(duplicate_deck_id(loaded, first))
                continue
            seen[loaded.id] = loaded
            result.decks.append(loaded)
    return result


def duplicate_deck_id(loaded: LoadedDeck, first: LoadedDeck) -> LoadProblem:
    """The problem of a deck whose id another loaded deck already has."""
    return LoadProblem(
        loaded.path,
        1,
        1,
        None,
        f"deck id {loaded.id!r} is already used by {first.path}",
        "give one of the two decks another `deck:` id",
    )


class _Context:
    """Turns validation errors into problems with positions."""

    def __init__(self, path: Path, data: dict, positions: dict, text: str) -> None:
        self.path = path
        self.data = data
        self.positions = positions
        self.lines = text.splitlines()

    def position(self, path: tuple) -> yaml_lines.Position:
        from jaxquiz.decks import yaml_lines

        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, yaml_lines.Position(1, 1))

    def data_path(self, loc: tuple) -> tuple:
        """The part of a pydantic location that exists in the data (drops union tags)."""
        node: Any = self.data
        path: list[Any] = []
        for part in loc:
            if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and part < len(node)
            ):
                node = node[part]
                path.append(part)
            elif part in UNION_TAGS:
                continue  # the discriminator's tag, not a key of the data
            elif part == "[key]":
                break  # the error is about the key itself, which is already the last part
            else:
                path.append(part)
                break
        return tuple(path)

    def question_id(self, path: tuple) -> str | None:
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            questions = self.data.get("questions")
            if isinstance(questions, list) and path[1] < len(questions):
                item = questions[path[1]]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    return item["id"]
                return f"question #{path[1] + 1}"
        return None

    def problem_at(self, path: tuple, rule: str, fix: str, question: str | None = None) -> LoadProblem:
        """A problem pointing at where `path` is written (its question found from the path)."""
        where = self.position(path)
        return LoadProblem(self.path, where.line, where.column, question or self.question_id(path), rule, fix)

    def problem_from(self, error: Any) -> LoadProblem:
        path = self.data_path(tuple(error["loc"]))
        if error["type"] == "missing":
            swallowed = self.swallowed_key(path)
            if swallowed is not None:
                return swallowed
        return self.problem_at(path, *_explain(error, path, self.data))

    def swallowed_key(self, path: tuple) -> LoadProblem | None:
        """A question's missing key written on a line that a `|` block above it took as text: the
        line is indented as far as the block's text, so YAML read it as more code."""
        if len(path) != 3 or path[0] != "questions":
            return None
        key = path[2]
        question = self.data["questions"][path[1]]  # there: the error's location was found in it
        for holder, value in question.items():
            lines = value.splitlines() if isinstance(value, str) else []
            index = next(
                (i for i, line in enumerate(lines) if re.match(rf"\s*{re.escape(key)}:(\s|$)", line)), None
            )
            if index is None:
                continue
            where = self.position((*path[:2], holder))
            line = where.line + 1 + index  # a `|` block's text starts on the line after its key
            written = self.lines[line - 1] if line <= len(self.lines) else ""
            if written.strip() != lines[index].strip():  # not a block as assumed: the question's line
                line, column = self.position(path[:2])
            else:
                column = len(written) - len(written.lstrip()) + 1
            return LoadProblem(
                self.path,
                line,
                column,
                self.question_id(path),
                f"missing required key `{key}`: its line is read as part of `{holder}`'s text",
                f"a `|` block takes every line indented as far as its first: indent `{key}:` as "
                f"`{holder}:` is",
            )
        return None


def _without_misspelled(errors: list[Any], context: _Context) -> list[Any]:
    """The errors less "missing key `expect`" where an unknown key beside it is its misspelling
    (`expct`): that one error says it, with the key to write."""
    meant = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            path = context.data_path(tuple(error["loc"]))
            close = _misspelling_of(path, context.data)
            if close is not None:
                meant.add((*path[:-1], close))
    return [e for e in errors if not (e["type"] == "missing" and context.data_path(tuple(e["loc"])) in meant)]


def _misspelling_of(path: tuple, data: dict) -> str | None:
    """The key an unknown key at `path` is a close misspelling of, if any."""
    in_question = len(path) == 3 and path[0] == "questions"
    model = QUESTION_MODELS.get(_question_type(data, path) or "") if in_question else Deck
    if model is None or len(path) not in (1, 3) or not isinstance(path[-1], str) or len(path[-1]) > 40:
        return None  # a key that long is no misspelling (and comparing it would take long)
    holder = data if len(path) == 1 else data["questions"][path[1]]  # there: the key was found in it
    unwritten = [key for key in model.model_fields if key not in holder]
    close = difflib.get_close_matches(path[-1], unwritten, n=1, cutoff=0.75)
    return close[0] if close else None


def _question_type(data: dict, path: tuple) -> str | None:
    if len(path) >= 2 and path[0] == "questions":
        try:
            return data["questions"][path[1]].get("type")
        except (IndexError, AttributeError, TypeError, KeyError):
            return None
    return None


def _allowed_keys(model: type) -> str:
    return ", ".join(model.model_fields)  # type: ignore[attr-defined]


def _label(path: tuple) -> str:
    """Where a value is, as an author reads it: `params.N`, `wrong[1]`, `tolerance.rtol`."""
    in_question = len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int)
    text = ""
    for part in path[2:] if in_question else path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the question"


def _explain(error: Any, path: tuple, data: dict) -> tuple[str, str]:
    """The rule broken and the fix, in words, for one pydantic error."""
    kind = error["type"]
    key = path[-1] if path else ""
    in_question = len(path) >= 2 and path[0] == "questions"
    qtype = _question_type(data, path)
    model = QUESTION_MODELS.get(qtype or "") if in_question else Deck
    label = _label(path)
    if kind == "extra_forbidden":
        owners = [t for t, m in QUESTION_MODELS.items() if key in m.model_fields]
        if in_question and len(path) == 3 and owners and model is not None:
            return (
                f"key `{key}` belongs to type {' / '.join(owners)}, not {qtype}",
                f"remove `{key}` or change `type`",
            )
        if in_question and len(path) > 3:
            return f"unknown key `{label}`", "check the spelling (see `jaxquiz schema`)"
        close = _misspelling_of(path, data)
        if close is not None:
            return f"unknown key `{key}` (did you mean `{close}`?)", f"rename it `{close}`"
        allowed = _allowed_keys(model) if model else ""
        return f"unknown key `{key}`", f"check the spelling; allowed keys here: {allowed}"
    if kind == "missing":
        what = f"for type {qtype}" if in_question and qtype else "in a deck"
        return (
            f"missing required key `{label}` {what}",
            f"add `{key}:` (see DECK_FORMAT / `jaxquiz schema`)",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        if kind == "union_tag_not_found":
            return "a question has no `type`", f"add `type:` with one of {TYPES}"
        return f"unknown question type {error['input'].get('type')!r}", f"use one of {TYPES}"
    if in_question and len(path) == 2 and kind in ("model_attributes_type", "dict_type", "model_type"):
        return (
            f"question #{path[1] + 1} is not a mapping of keys",
            "write each question as `- id: ...` followed by its other keys, indented alike",
        )
    if error["loc"][-1] == "[key]":
        parent = _label(path[:-1])
        return (
            f"{key!r} is not a valid name in `{parent}`",
            "use letters, digits and _, not starting with a digit (like a Python name)",
        )
    if kind == "string_pattern_mismatch" and key == "title" and len(path) == 1:
        return "`title` must be one line", "write the title on one line; the rest belongs in `description`"
    if kind == "string_pattern_mismatch" and key in ("id", "deck"):
        return (
            f"`{key}` {error['input']!r} is not a valid id",
            f"use lowercase letters, digits and dashes ({ID_PATTERN})",
        )
    if key == "devices" and (len(path) == 1 or (in_question and len(path) == 3)):
        return (
            f"`{label}` is {error['input']!r}: it must be a whole number of devices from 1 to {MAX_DEVICES}",
            f"write e.g. `devices: {MAX_DEVICES}`, or leave the key out to use the machine's default device",
        )
    if key == "format" and len(path) == 1 and kind in ("literal_error", "value_error"):
        return f"unsupported format {error['input']!r}", "write `format: 1`"
    if kind == "too_short" and key == "questions":
        return "a deck needs at least one question", "add a question under `questions:`"
    if in_question and key == "code" and qtype == "fill":
        return f"`code`: {error['msg'].removeprefix('Value error, ')}", (
            "put exactly one `___` in `code`, where the learner's answer goes"
        )
    if in_question and len(path) > 3 and path[2] == "params":
        rule = error["msg"].removeprefix("Value error, ")
        if kind == "too_short":
            rule = "a parameter needs at least one value"
        return f"`{label}`: {rule}", (
            "write each parameter as NAME: [v1, v2, ...] or NAME: {range: [lo, hi]} with lo <= hi"
        )
    if in_question and key == "options" and "appears twice" in error["msg"]:
        return f"`options`: {error['msg'].removeprefix('Value error, ')}", (
            "change or remove one of the two, so that every option reads differently"
        )
    if kind == "too_short":
        least = error.get("ctx", {}).get("min_length", 1)
        return f"`{label}` needs at least {least} item(s)", f"add items to `{label}`"
    message = error["msg"].removeprefix("Value error, ")
    if "; fix: " in message:  # a validator that knows the fix says it after "; fix: "
        rule, _, fix = message.partition("; fix: ")
        return f"`{label}`: {rule}", fix
    return f"`{label}`: {message}", f"correct `{label}` (see `jaxquiz schema` for the allowed values)"


def _check_deck_rules(deck: Deck, context: _Context) -> list[LoadProblem]:
    """The rules the models cannot express alone: unique ids and defined parameters."""
    problems = []
    seen: set[str] = set()
    for index, question in enumerate(deck.questions):
        if question.id in seen:
            problems.append(
                context.problem_at(
                    ("questions", index, "id"),
                    f"duplicate question id {question.id!r} in deck {deck.deck!r}",
                    "give each question of a deck its own id",
                    question.id,
                )
            )
        seen.add(question.id)
        undefined = _undefined_params(question, index, context)
        problems.extend(undefined)
        if not undefined:
            problems.extend(_repeated_options(deck.deck, question, index, context))
    return problems


def _repeated_options(
    deck_id: str, question: QuestionBase, index: int, context: _Context
) -> list[LoadProblem]:
    """Two options that read the same once a draw's values are substituted (`$N` and `3` at N=3)."""
    if not question.options or not question.params:
        return []  # without parameters the model has already compared the options as written
    for values in checked_draws(deck_id, question):
        options = instantiate(question, values).options or []
        repeated = repeated_option(options)
        if repeated is not None:
            draw = ", ".join(f"{name}={value}" for name, value in values.items())
            return [
                context.problem_at(
                    ("questions", index, "options"),
                    f"on the draw {draw} the option {repeated!r} appears twice",
                    "change the parameters or the option, so that every option reads differently",
                    question.id,
                )
            ]
    return []


def _undefined_params(question: QuestionBase, index: int, context: _Context) -> list[LoadProblem]:
    problems = []
    choices = question.param_values()  # once per question, not once per text
    for key, text in texts_with_params(question):
        if "$" not in text:
            continue  # most texts: no placeholder, no arithmetic
        for name in sorted(placeholders(text) - set(question.params)):
            problems.append(
                context.problem_at(
                    ("questions", index, key),
                    f"`{key}` uses ${name}, which is not in `params`",
                    f"add `{name}` to `params`, or write $$ for a literal dollar sign",
                    question.id,
                )
            )
        for error in expression_problems(text, choices):
            problems.append(
                context.problem_at(
                    ("questions", index, key), f"`{key}`: {error.rule}", error.fix, question.id
                )
            )
    return problems
