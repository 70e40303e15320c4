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
float: 1.5e+3
bool: True
also bool: false
nothing: null
tilde: ~
3: an int key
block: |
  first line
  second line
list: [a, 1, "2", !!str 3, null]
"""


def test_every_kind_of_value_common_to_yaml_1_1_and_1_2_reads_as_pyyaml_reads_it():
    data, positions = parse(EVERY_KIND)
    assert data == yaml.safe_load(EVERY_KIND)
    # the types too: == would take 1 for True and 12 for "12" only if they were equal
    assert [type(v) for v in data.values()] == [type(v) for v in yaml.safe_load(EVERY_KIND).values()]
    assert data["tagged number"] == "12" and data["tagged bool"] == "true" and data[3] == "an int key"
    assert positions[("tagged number",)] == Position(3, 1)
    assert positions[("list", 3)] == Position(16, 19)


YAML_1_1_ONLY = """\
answer: yes
switch: off
octal: 010
sexagesimal: 1:20
date: 2025-03-01
underscored: 1_000
exponent: 1e-4
hex: 0x1F
octal-1.2: 0o17
"""


def test_plain_values_read_by_yaml_1_2_as_editors_and_json_schema_tools_read_them():
    data, _ = parse(YAML_1_1_ONLY)
    assert data == {
        "answer": "yes",  # not True
        "switch": "off",
        "octal": 10,  # not 8
        "sexagesimal": "1:20",  # not 80
        "date": "2025-03-01",  # not a date
        "underscored": "1_000",
        "exponent": 0.0001,  # PyYAML: the text '1e-4'
        "hex": 31,
        "octal-1.2": 15,
    }
    assert yaml.safe_load(YAML_1_1_ONLY)["answer"] is True  # what the test is about


def test_a_number_where_text_is_wanted_is_the_text_written():
    text = "expect: 0.10\noptions: [1e-3, 010, .inf, true, '2']\nother: 0.10\nnested: {expect: [1, 2]}\n"
    data, _ = parse(text, as_written={"expect": "value", "options": "items"})
    assert data["expect"] == "0.10" and data["other"] == 0.1
    assert data["options"] == ["1e-3", "010", float("inf"), True, "2"]
    assert data["nested"]["expect"] == [1, 2]  # a list under the key: its items are numbers


def test_an_explicit_int_tag_on_other_text_is_refused_where_it_is_written():
    with pytest.raises(YamlSyntaxError) as raised:
        parse("title: fine\nsize: !!int twelve\n")
    assert raised.value.position == Position(2, 7)
    assert "'twelve' cannot be read as a whole number" in raised.value.what


def test_a_tag_that_builds_an_object_is_refused_where_it_is_written():
    with pytest.raises(YamlSyntaxError) as raised:
        parse("title: fine\ncode: !!python/name:os.system ''\n")
    assert raised.value.position.line == 2
    assert "could not determine a constructor" in raised.value.what
