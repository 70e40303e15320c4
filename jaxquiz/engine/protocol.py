"""What the UI process and the worker send each other: plain dataclasses, no jax inside.

Messages travel as JSON frames (`jaxquiz.engine.wire`) over a private socket, never over the
worker's stdout or stderr, so user code that prints or closes its streams cannot corrupt them.
Every field must be plain data: text, numbers, booleans, None, tuples, Literals, unions and
nested dataclasses of those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from jaxquiz.engine.puzzle_spec import PuzzleSpec
from jaxquiz.question_types import QuestionType

# Output kept from one execution; more is cut with a note.
OUTPUT_CAP = 64 * 1024

# The worker's exit status when it could not tidy up after a reply. It exits before reading the
# next request, so the engine can send that request to the spare as if nothing happened.
EXIT_UNTIDY = 75

# How a worker finds its end of the socket, the folders it may write to and its private temp
# folder: in its environment, not argv (question code reads sys.argv first).
FD_ENV = "JAXQUIZ_WORKER_FD"
WRITABLE_ENV = "JAXQUIZ_WORKER_WRITABLE"
PRIVATE_PREFIX = "jaxquiz-worker-"
# XLA's persistent cache as the engine sets it in a worker's environment, and how the worker
# reads each setting.
COMPILE_CACHE_SETTINGS: dict[str, type] = {
    "JAX_COMPILATION_CACHE_DIR": str,
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": float,
    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": int,
}


@dataclass(frozen=True)
class Task:
    """One concrete question to execute: parameters already substituted."""

    type: QuestionType
    code: str
    answer: str | None = "out"  # None: nothing is evaluated after the code
    setup: str | None = None
    timeout: float = 10.0
    rtol: float = 1e-5
    atol: float = 1e-6
    # fill only
    solution: str | None = None
    compare: Literal["value", "shape"] = "value"
    input: Literal["line", "block"] = "line"
    # raises only: `any` accepts any exception class (or `error`) when the code raised
    exception: Literal["exact", "any"] = "exact"
    # how many devices `jax.devices()` must hold (None: the default worker); the engine routes by it
    devices: int | None = None
    # puzzle only (with `solution`, the reference; `code` is the optional setup shown above it)
    puzzle: PuzzleSpec | None = None


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepare:
    """Execute a task's code now and keep the result, so that grading only compares."""

    token: str
    task: Task


@dataclass(frozen=True)
class Grade:
    """Grade an answer as typed against the task's truth (executed if not prepared).

    Without `task`, against the task prepared under `token`, and the verdict leaves out the
    truth (the app holds it): the message both sides read before a verdict stays small. A worker
    that holds no such task answers NotPrepared."""

    token: str
    task: Task | None
    answer: str


@dataclass(frozen=True)
class Explore:
    """Run code in a fresh sandbox and describe every array and pytree it left behind."""

    code: str
    setup: str | None = None
    answer: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class Forget:
    """Drop prepared truths that are no longer needed."""

    tokens: tuple[str, ...]


Request = Prepare | Grade | Explore | Forget


# --- results --------------------------------------------------------------------------------

Status = Literal["ok", "timeout", "crashed", "out-of-memory"]


@dataclass(frozen=True)
class Timings:
    """Milliseconds: spent executing code, comparing, and the round trip seen by the caller."""

    execute_ms: float = 0.0
    compare_ms: float = 0.0
    total_ms: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """What running a question's code gave: its result described, or what it raised."""

    status: Status = "ok"
    # the result of `answer` when nothing was raised
    type_name: str | None = None
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    preview: str = ""
    # what was raised
    exception: str | None = None  # full class path, e.g. jax.errors.TracerBoolConversionError
    exception_bases: tuple[str, ...] = ()  # its JAX base classes
    error: str | None = None  # the message
    traceback: str | None = None  # frames of the question's own code, with its line numbers
    output: str = ""
    device: str = ""

    @property
    def raised(self) -> bool:
        return self.exception is not None

    def summary(self) -> str:
        """One line a learner reads: the result's shape and dtype, or what was raised."""
        if self.status != "ok":
            return self.error or self.status
        if self.raised:
            return f"raised {self.exception}"
        parts = []
        if self.shape is not None:
            parts.append(f"shape {self.shape}")
        if self.dtype is not None:
            parts.append(f"dtype {self.dtype}")
        return ", ".join(parts) or (self.type_name or "")


VerdictStatus = Literal[
    "graded",  # correct says right or wrong
    "unreadable",  # the answer could not be understood
    "question-error",  # the question's own code failed: the deck needs fixing
    "timeout",
    "crashed",
    "out-of-memory",
]


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer, with everything the verdict panel shows."""

    status: VerdictStatus
    correct: bool
    answer: str  # as typed
    understood: str = ""  # the answer as read, normalised
    truth: Outcome = field(default_factory=Outcome)  # the question as executed
    difference: str = ""  # what differs, precisely
    note: str = ""  # e.g. accepted because it names a base class
    error: str | None = None  # error of the learner's own execution (fill) or of reading it
    traceback: str | None = None
    output: str = ""  # captured output of the learner's execution (fill)
    timings: Timings = field(default_factory=Timings)

    @property
    def device(self) -> str:
        return self.truth.device


@dataclass(frozen=True)
class NotPrepared:
    """The answer to a Grade without its task when the worker holds no truth by that token (it
    is not the worker that prepared it, or it dropped it since): send the task."""


@dataclass(frozen=True)
class Binding:
    """One name left in the namespace after exploring code."""

    name: str
    kind: str  # "array", "pytree", "module" or a Python type name
    shape: tuple[int, ...] | None
    dtype: str | None
    preview: str
    leaves: int = 1


@dataclass(frozen=True)
class Exploration:
    """What running code in the try-it panel gave."""

    bindings: tuple[Binding, ...] = ()
    answer: Outcome | None = None
    outcome: Outcome = field(default_factory=Outcome)  # status, error and output of the run
    timings: Timings = field(default_factory=Timings)


@dataclass(frozen=True)
class Ready:
    """The worker's first message: it imported jax and can take requests."""

    pid: int
    device: str
    jax_version: str
    import_ms: float


# --- the envelope -------------------------------------------------------------------------------

Result = Outcome | Verdict | NotPrepared | Exploration | None


@dataclass(frozen=True)
class Envelope:
    """A request as sent, numbered so that a reply out of step is caught; None: exit."""

    seq: int
    request: Request | None


@dataclass(frozen=True)
class Answer:
    """The worker's reply to the request numbered `seq`, and whether to replace the worker."""

    seq: int
    result: Result
    recycle: str | None = None


@dataclass(frozen=True)
class InternalFailure:
    """The worker failed to handle the request numbered `seq` (a bug of jaxquiz, not of the deck)."""

    seq: int
    traceback: str


FromWorker = Ready | Answer | InternalFailure

# What each request is answered with (a reply of another kind is out of step).
REPLY_TYPES: dict[type, tuple[type, ...]] = {
    Prepare: (Outcome,),
    Grade: (Verdict,),
    Explore: (Exploration,),
    Forget: (type(None),),
}


def reply_types(request: object) -> tuple[type, ...]:
    """What `request` may be answered with: a grade sent without its task may also be answered
    NotPrepared (never one that brought its task: the worker can run that)."""
    if isinstance(request, Grade) and request.task is None:
        return (Verdict, NotPrepared)
    return REPLY_TYPES.get(type(request), ())
