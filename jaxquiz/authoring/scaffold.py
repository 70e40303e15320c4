"""`jaxquiz new`: a starter deck with one question of every type, each key explained in comments.

The deck's first line points yaml-language-server at the JSON Schema, written beside the deck so
that completion works offline and always matches the installed jaxquiz.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jaxquiz.decks.files import DECK_SUFFIXES
from jaxquiz.decks.models import ID_PATTERN, Deck
from jaxquiz.errors import JaxquizError

SCHEMA_FILE = "jaxquiz-deck.schema.json"


class AuthoringError(JaxquizError):
    """A deck cannot be created as asked."""


@dataclass(frozen=True)
class NewDeck:
    path: Path
    schema_path: Path
    schema_written: bool  # false when an identical schema file was already there


def schema_text() -> str:
    """The deck format's JSON Schema, as `jaxquiz schema` prints it."""
    return json.dumps(Deck.model_json_schema(), indent=2) + "\n"


def deck_id_for(path: Path) -> str:
    """A valid deck id made from a file name: `My vmap Deck.yaml` -> `my-vmap-deck`."""
    slug = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")
    return slug or "my-deck"


def render(deck_id: str, title: str, file_name: str = "deck.yaml") -> str:
    """The starter deck's text."""
    if not re.fullmatch(ID_PATTERN, deck_id):
        raise AuthoringError(
            f"{deck_id!r} is not a valid deck id",
            fix="use lowercase letters, digits and dashes, starting with a letter or digit",
        )
    if not title.strip() or "\n" in title:
        raise AuthoringError("the title must be one non-empty line", fix="pass --title 'One line'")
    template = resources.files("jaxquiz.authoring").joinpath("template.yaml").read_text(encoding="utf-8")
    # JSON strings are YAML flow scalars: any title is written safely quoted.
    return (
        template.replace("@@SCHEMA_FILE@@", SCHEMA_FILE)
        .replace("@@FILE_NAME@@", file_name)
        .replace("@@DECK_ID@@", deck_id)
        .replace("@@TITLE@@", json.dumps(title.strip(), ensure_ascii=False))
    )


def new_deck(
    path: Path, title: str | None = None, deck_id: str | None = None, force: bool = False
) -> NewDeck:
    """Write a starter deck at `path` and the schema file beside it."""
    path = Path(path)
    if path.suffix not in DECK_SUFFIXES:
        raise AuthoringError(
            f"{path} does not end in .yaml or .yml", fix="name the deck file like my-deck.yaml"
        )
    if path.exists() and not force:
        raise AuthoringError(
            f"{path} already exists", fix="choose another name, or pass --force to replace it"
        )
    deck_id = deck_id or deck_id_for(path)
    title = title or path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "My deck"
    text = render(deck_id, title, path.name)
    schema_path = path.parent / SCHEMA_FILE
    schema = schema_text()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written = not schema_path.exists() or schema_path.read_text(encoding="utf-8") != schema
        if written:  # generated: refreshing it keeps editors in step with this jaxquiz
            schema_path.write_text(schema, encoding="utf-8")
    except OSError as error:
        raise AuthoringError(
            f"cannot write {path}: {error}", fix="check the folder exists and is writable"
        ) from None
    return NewDeck(path, schema_path, written)
