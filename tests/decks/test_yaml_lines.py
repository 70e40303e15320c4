"""The position-keeping YAML parser reads every value as YAML's own loader does."""

from __future__ import annotations

import pytest
import yaml

from jaxquiz.decks.yaml_lines import Position, YamlSyntaxError, parse

EVERY_KIND = """\
text: plain words
quoted number: "12"
tagged number: !!str 12
tagged bool: !!str true
empty quoted: ''
int: 12
float: 1.5e3
bool: yes
also bool: false
nothing: null
tilde: ~
3: an int key
block: |
  first line
  second line
list: [a, 1, "2", !!str 3, null]
"""


def test_every_kind_of_value_reads_as_yaml_reads_it():
    data, positions = parse(EVERY_KIND)
    assert data == yaml.safe_load(EVERY_KIND)
    # the types too: == would take 1 for True and 12 for "12" only if they were equal
    assert [type(v) for v in data.values()] == [type(v) for v in yaml.safe_load(EVERY_KIND).values()]
    assert data["tagged number"] == "12" and data["tagged bool"] == "true" and data[3] == "an int key"
    assert positions[("tagged number",)] == Position(3, 1)
    assert positions[("list", 3)] == Position(16, 19)


def test_a_tag_that_builds_an_object_is_refused_where_it_is_written():
    with pytest.raises(YamlSyntaxError) as raised:
        parse("title: fine\ncode: !!python/name:os.system ''\n")
    assert raised.value.position.line == 2
    assert "could not determine a constructor" in raised.value.what
