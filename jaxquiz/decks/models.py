"""The models of deck format v1: one pydantic model per question type, and the deck.

These models are the single source of the format: the loader validates with them and
`jaxquiz schema` prints the JSON Schema generated from them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, assert_never, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    Tag,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)

from jaxquiz.blanks import BLANK
from jaxquiz.decks.puzzle_inputs import (
    PRIMITIVE_PATTERN,
    DimRange,
    PuzzleInput,
    Transform,
    check_defines,
    check_dims,
    check_inputs,
    check_transforms,
    dim_ranges,
    parse_signature,
)
from jaxquiz.question_types import QuestionType

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PARAM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

EXECUTING_TYPES = ("shape", "dtype", "value", "raises", "fill", "puzzle")


def as_answer_text(value: Any) -> Any:
    """Read an answer written in YAML as the text a learner would type.

    YAML turns `100` into an int and `[3, 4]` into a list; a learner would have typed them as text,
    so they are written back the way Python prints them.
    """
    if value is None:
        raise ValueError(
            "it is empty: YAML reads `null`, `~` and a missing value as nothing; fix: write the "
            'answer, quoted where YAML would read it otherwise (`"None"` for Python\'s None)'
        )
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | list | dict):
        return repr(value)
    return value


# What YAML may hold there: text, or a number or list that is read back as the text typed.
# The loader reads a number written there as its text (`0.10`, `1e-3`), so repr is for the rest.
AnswerText = Annotated[
    str, BeforeValidator(as_answer_text, json_schema_input_type=str | int | float | bool | list | dict)
]
Markdown = str
# Where a deck holds AnswerText (a key's value, or its list's items): what the loader reads as written.
ANSWER_TEXT_KEYS: dict[str, Literal["value", "items"]] = {
    "expect": "value",
    "solution": "value",
    "wrong": "items",
    "options": "items",
}


def _one_scalar(value: Any, handler: Any) -> Any:
    # One clear message instead of one per member of the union.
    if not isinstance(value, int | float | str | bool):
        raise ValueError(f"a parameter value must be a number, a string or a boolean, not {value!r}")
    return handler(value)


Scalar = Annotated[int | float | str | bool, WrapValidator(_one_scalar)]


def repeated_option(options: list[str]) -> str | None:
    """The first option written twice (spaces around and inside runs of spaces ignored), if any."""
    seen: set[str] = set()
    for option in options:
        text = " ".join(option.split())
        if text in seen:
            return option
        seen.add(text)
    return None


def _whole_number(value: Any) -> Any:
    """YAML's `1.0`, `"1"` and `true` are not the number 1, which pydantic's lax mode takes them for."""
    if type(value) is not int:  # a bool is an int too
        raise ValueError(f"{value!r} is not a whole number; fix: write the number alone, like 1")
    return value


WHOLE = BeforeValidator(_whole_number)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(_Strict):
    """How close two floating-point values must be to count as equal (numpy's allclose)."""

    rtol: float = Field(1e-5, ge=0, strict=True, description="relative tolerance")
    atol: float = Field(1e-6, ge=0, strict=True, description="absolute tolerance")


class ParamRange(_Strict):
    """An inclusive range of integers to draw from."""

    range: tuple[StrictInt, StrictInt] = Field(
        description="[lo, hi]: the integers from lo to hi, both included"
    )

    @field_validator("range")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if lo > hi:
            raise ValueError(f"range [{lo}, {hi}] is empty: write the smaller bound first")
        return value

    def values(self) -> Sequence[int]:
        """The integers, lazily: a range of a billion is drawn from without a list of a billion."""
        lo, hi = self.range
        return range(lo, hi + 1)


# Tags of the two spellings of a parameter; the loader skips them when it locates an error.
PARAM_LIST_TAG = "param-values"
PARAM_RANGE_TAG = "param-range"


def _param_kind(value: Any) -> str:
    return PARAM_RANGE_TAG if isinstance(value, dict | ParamRange) else PARAM_LIST_TAG


# A callable discriminator: a mistake is reported against the spelling used, not against both.
ParamSpec = Annotated[
    Annotated[list[Scalar], Field(min_length=1), Tag(PARAM_LIST_TAG)]
    | Annotated[ParamRange, Tag(PARAM_RANGE_TAG)],
    Discriminator(_param_kind),
]


MAX_DEVICES = 8
Devices = Annotated[int, Field(ge=1, le=MAX_DEVICES, strict=True)]


# Keys of the base below that DECK_FORMAT gives to some types only (a puzzle calls the learner's
# function, and a choice runs nothing: neither evaluates an `answer`).
TYPES_TAKING = {
    "options": ("shape", "dtype", "value", "raises", "choice"),
    "answer": ("shape", "dtype", "value", "raises", "fill", "card"),
}


def _only_keys_of_the_type(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A type's JSON schema leaves out the keys of the base that the type does not take."""
    field = model.model_fields.get("type")
    own = get_args(field.annotation)[0] if field is not None else None
    for key, owners in TYPES_TAKING.items():
        if own is not None and own not in owners:
            schema.get("properties", {}).pop(key, None)


class QuestionBase(_Strict):
    """Keys shared by every question type."""

    model_config = ConfigDict(json_schema_extra=_only_keys_of_the_type)

    if TYPE_CHECKING:
        # Each subclass declares its own `type: Literal[...]` field; this tells the type checker
        # that every question has one, without a field on the base (the schema stays the same).
        type: QuestionType

    id: str = Field(pattern=ID_PATTERN, description="unique in its deck; (deck, id) identifies progress")
    prompt: Markdown = Field(description="markdown shown above the code")
    answer: str = Field(
        "out",
        description="expression evaluated after `code`; what is asked about. Also in scope there: "
        "`printed` (what the code wrote to stdout) and `warned` (the warning category names it raised)",
    )
    params: dict[Annotated[str, Field(pattern=PARAM_NAME_PATTERN)], ParamSpec] = Field(
        default_factory=dict,
        description="one value drawn per showing: a list, or {range: [lo, hi]}",
    )
    options: Annotated[list[AnswerText], Field(min_length=2)] | None = Field(
        None,
        description="answers shown when the learner asks for options, each graded as if typed: "
        "on every draw exactly one is right, each can be read, and no text appears twice",
    )
    hint: Markdown | None = Field(None, description="markdown shown when the learner asks for a hint")
    explain: Markdown | None = Field(None, description="markdown shown after the verdict")
    tags: list[str] = Field(default_factory=list, description="labels for filtering drills and stats")
    difficulty: Annotated[Literal[1, 2, 3], WHOLE] | None = Field(
        None, description="1 easy, 2 medium, 3 hard"
    )
    timeout: float = Field(10, gt=0, le=300, strict=True, description="seconds for one execution")
    source: str | None = Field(
        None, description="where the question comes from (a URL or citation), shown with the explanation"
    )
    devices: Devices | None = Field(
        None,
        description="how many devices `jax.devices()` holds when it runs (virtual CPU devices if "
        "the machine has fewer); default: the deck's `devices`, else the machine's default",
    )

    @field_validator("options", "answer")
    @classmethod
    def _a_key_of_this_type(cls, value: Any, info: ValidationInfo) -> Any:
        """A key of this base that the format gives to some types only, given to another."""
        owners = TYPES_TAKING[str(info.field_name)]
        field = cls.model_fields.get("type")
        own = get_args(field.annotation)[0] if field is not None else None
        if own is not None and own not in owners:
            raise ValueError(
                f"belongs to type {' / '.join(owners)}, not {own}; fix: remove `{info.field_name}` "
                "or change `type`"
            )
        return value

    @field_validator("options")
    @classmethod
    def _no_repeated_option(cls, options: list[str] | None) -> list[str] | None:
        repeated = repeated_option(options or [])
        if repeated is not None:
            raise ValueError(f"the option {repeated!r} appears twice: each option must be different")
        return options

    @property
    def level(self) -> int:
        """The difficulty, counting an unrated question as easy (1)."""
        return self.difficulty or 1

    @property
    def executes(self) -> bool:
        """Whether the question is graded by running code (a card's code runs, but is not graded)."""
        match self.type:
            case "shape" | "dtype" | "value" | "raises" | "fill" | "puzzle":
                return True
            case "choice" | "card":
                return False
            case _:
                assert_never(self.type)

    def param_values(self) -> dict[str, Sequence[Scalar]]:
        """Every parameter with the values it may take (a range stays a lazy range)."""
        values: dict[str, Sequence[Scalar]] = {}
        for name, spec in self.params.items():
            values[name] = spec.values() if isinstance(spec, ParamRange) else list(spec)
        return values


class _Expecting(QuestionBase):
    code: str = Field(description="Python shown to the learner and executed")
    expect: AnswerText = Field(description="the author's answer, audited by `jaxquiz check`")


class ShapeQuestion(_Expecting):
    type: Literal["shape"]


class DtypeQuestion(_Expecting):
    type: Literal["dtype"]


class ValueQuestion(_Expecting):
    type: Literal["value"]
    tolerance: Tolerance = Field(Tolerance(), description="how close floats must be")


class RaisesQuestion(_Expecting):
    type: Literal["raises"]
    exception: Literal["exact", "any"] = Field(
        "exact",
        description="`exact`: the class raised must be named; `any`: naming any exception class "
        "(or typing `error`) is right when the code raises, because the lesson is that it fails",
    )


class FillQuestion(QuestionBase):
    type: Literal["fill"]
    code: str = Field(description=f"Python with exactly one blank `{BLANK}`")
    solution: AnswerText = Field(description="the reference text for the blank")
    wrong: Annotated[list[AnswerText], Field(min_length=1)] = Field(
        description="tempting answers that `jaxquiz check` proves are rejected"
    )
    compare: Literal["value", "shape"] = Field(
        "value", description="what must match between the solution's and the learner's result"
    )
    input: Literal["line", "block"] = Field("line", description="`block` asks for several lines")
    tolerance: Tolerance = Field(Tolerance(), description="how close floats must be")

    @field_validator("code")
    @classmethod
    def _one_blank(cls, code: str) -> str:
        count = code.count(BLANK)
        if count != 1:
            raise ValueError(f"a fill question's code must hold exactly one blank {BLANK}; found {count}")
        return code


class PuzzleQuestion(QuestionBase):
    """Write a whole function; graded like a property-based test against `solution`."""

    type: Literal["puzzle"]
    signature: str = Field(description="the first line of the learner's editor, e.g. `def f(x, y):`")
    inputs: dict[str, PuzzleInput] = Field(
        description="one entry per argument of `signature`, in order: {shape, dtype, range}, "
        "{key: true}, {tree: {...}} or {value: [...]}"
    )
    dims: dict[Annotated[str, Field(pattern=PARAM_NAME_PATTERN)], DimRange] = Field(
        default_factory=dict,
        description="inclusive [lo, hi] per dim name used in `inputs` (default [1, 5]; sizes 0 to 64)",
    )
    examples: int = Field(25, ge=1, le=200, description="how many input draws, smallest shapes first")
    transforms: list[Transform] = Field(
        default_factory=lambda: ["jit"],  # type: ignore[arg-type]
        description="graded under each: jit, vmap, grad",
    )
    forbid: list[Annotated[str, Field(pattern=PRIMITIVE_PATTERN)]] = Field(
        default_factory=list,
        description="jaxpr primitives the learner may not use (or jax's jitted functions by the "
        "name a jaxpr shows: `triu` for jit[name=triu]), and `loops`",
    )
    max_ops: int | None = Field(None, ge=1, description="most equations in the learner's jaxpr")
    solution: str = Field(description="the reference implementation, hidden from the learner")
    wrong: Annotated[list[str], Field(min_length=1)] = Field(
        description="tempting implementations that `jaxquiz check` proves are rejected"
    )
    code: str | None = Field(None, description="optional setup shown above the editor and run first")
    tolerance: Tolerance = Field(Tolerance(), description="how close floats must be")

    @field_validator("signature")
    @classmethod
    def _one_def_line(cls, signature: str) -> str:
        parse_signature(signature)
        return signature

    # Each rule across keys is checked on the later key, so an error points at the line to fix;
    # a key that failed its own validation is missing from info.data, and its error is reported.
    @field_validator("inputs")
    @classmethod
    def _one_per_argument(cls, inputs: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if "signature" in info.data:
            check_inputs(info.data["signature"], inputs)
        return inputs

    @field_validator("dims")
    @classmethod
    def _dims_match(
        cls, dims: dict[str, tuple[int, int]], info: ValidationInfo
    ) -> dict[str, tuple[int, int]]:
        if dims and "inputs" in info.data:
            check_dims(dims, info.data["inputs"])
        return dims

    @field_validator("transforms")
    @classmethod
    def _something_to_transform(cls, transforms: list[str], info: ValidationInfo) -> list[str]:
        if "inputs" in info.data:
            check_transforms(transforms, info.data["inputs"])
        return transforms

    @field_validator("solution")
    @classmethod
    def _solution_defines_it(cls, solution: str, info: ValidationInfo) -> str:
        if "signature" in info.data:
            check_defines(info.data["signature"], solution)
        return solution

    @field_validator("wrong")
    @classmethod
    def _each_wrong_defines_it(cls, wrong: list[str], info: ValidationInfo) -> list[str]:
        if "signature" in info.data:
            for index, code in enumerate(wrong):
                check_defines(info.data["signature"], code, f"entry {index + 1}")
        return wrong

    @property
    def function_name(self) -> str:
        return parse_signature(self.signature)[0]

    @property
    def starter(self) -> str:
        """What the learner's editor starts with: the signature and an indented empty body."""
        return self.signature.strip() + "\n    "

    def dim_ranges(self) -> dict[str, tuple[int, int]]:
        """Every dim the inputs use, with its range ([1, 5] unless `dims` says)."""
        return dim_ranges(self.dims, self.inputs)


class ChoiceQuestion(QuestionBase):
    type: Literal["choice"]
    options: Annotated[list[AnswerText], Field(min_length=2)]
    correct: Annotated[list[StrictInt], Field(min_length=1)] = Field(
        description="0-based indices of the right options; with several, the learner marks every "
        "right option (multi-select)"
    )

    @field_validator("correct")
    @classmethod
    def _indices_in_range(cls, correct: list[int], info: ValidationInfo) -> list[int]:
        options = info.data.get("options")
        if options is None:
            return correct  # options is missing or invalid: that error is reported instead
        bad = [i for i in correct if not 0 <= i < len(options)]
        if bad:
            raise ValueError(
                f"index {bad[0]} is out of range: the options are numbered 0 to {len(options) - 1}"
            )
        repeated = next((i for i in correct if correct.count(i) > 1), None)
        if repeated is not None:
            raise ValueError(f"index {repeated} is listed twice; fix: list each right option once")
        return correct


class CardQuestion(QuestionBase):
    type: Literal["card"]
    back: Markdown = Field(description="the back of the card")
    code: str | None = Field(None, description="optional code; with `answer`, its live result is shown")


Question = Annotated[
    ShapeQuestion
    | DtypeQuestion
    | ValueQuestion
    | RaisesQuestion
    | FillQuestion
    | PuzzleQuestion
    | ChoiceQuestion
    | CardQuestion,
    Field(discriminator="type"),
]

QUESTION_MODELS: dict[str, type[QuestionBase]] = {
    "shape": ShapeQuestion,
    "dtype": DtypeQuestion,
    "value": ValueQuestion,
    "raises": RaisesQuestion,
    "fill": FillQuestion,
    "puzzle": PuzzleQuestion,
    "choice": ChoiceQuestion,
    "card": CardQuestion,
}


class Deck(_Strict):
    """A deck file of format v1."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="jaxquiz deck (format 1)",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Annotated[Literal[1], WHOLE] = Field(description="the format version: 1")
    deck: str = Field(pattern=ID_PATTERN, description="unique among loaded decks")
    title: str = Field(pattern=r"^[^\n]+$", description="one line")
    description: Markdown | None = Field(None, description="a short lesson shown first")
    tags: list[str] = Field(default_factory=list, description="labels for the whole deck")
    setup: str | None = Field(None, description="Python run before every question, after the prelude")
    source: str | None = Field(
        None, description="where the deck's material comes from (a URL or citation); shown in its lesson"
    )
    devices: Devices | None = Field(None, description="the default `devices` of the deck's questions")
    questions: Annotated[list[Question], Field(min_length=1)] = Field(description="at least one question")

    @model_validator(mode="after")
    def _deck_devices(self) -> Deck:
        # The deck's default is written into its questions, so a question carries its own count.
        if self.devices is not None:
            questions = [
                q if q.devices is not None else q.model_copy(update={"devices": self.devices})
                for q in self.questions
            ]
            object.__setattr__(self, "questions", questions)
        return self

    def source_of(self, question: QuestionBase) -> str | None:
        """Where a question comes from: its own `source`, else the deck's."""
        return question.source or self.source

    def question(self, question_id: str) -> QuestionBase:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def content_hash(deck: Deck, question: QuestionBase) -> str:
    """A short hash of what a question asks (with the deck's setup), to notice edited questions."""
    # A key left unset must not change the hash of questions written before it existed, and
    # `source` says where a question comes from, not what it asks: citing it is no edit.
    unset = {"devices", "exception"} - question.model_fields_set
    payload = {"setup": deck.setup, "question": question.model_dump(mode="json", exclude=unset | {"source"})}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode())
    return digest.hexdigest()[:16]
