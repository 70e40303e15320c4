"""`python -m jaxquiz` is the `jaxquiz` command."""

from jaxquiz.cli import run

run()
