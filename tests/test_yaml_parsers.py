"""The YAML reader's two parsers read alike: libyaml's, used where PyYAML has it, and PyYAML's
pure-Python one, the reference every problem is worded by.

``parse_yaml`` (libyaml first, the reference for whatever libyaml fails on or might read apart)
is checked against ``_read_reference`` alone on a corpus: every YAML file in the repository,
hostile texts, the bundled rule files damaged at random, and generated documents. Data (with
their types), each node's tag, value and start (line, column and position) and each problem
must be the same. Without libyaml, ``parse_yaml`` is the reference itself, which is checked too.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzcount import fuzz
from hypothesis import given
from hypothesis import strategies as st

from earlywarning import _yaml
from earlywarning._yaml import parse_yaml
from earlywarning.errors import RuleProblem
from earlywarning.strategies import rule_documents

REPO = Path(__file__).resolve().parents[1]
FILES = sorted(
    path
    for folder in ("rules", "examples", "docs", "tests")
    for path in (REPO / folder).rglob("*")
    if path.suffix in (".yaml", ".yml") and path.is_file()
)
BUNDLED = sorted((REPO / "rules").rglob("*.yaml"))
KINDS = [("rule and case files", True), ("profile files", False)]

with_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")

HOSTILE = [
    # control characters, line breaks of every kind, byte-order marks, text UTF-8 cannot hold
    "\x00",
    "a: 1\nb: \x00\n",
    "a: \x07\n",
    "a: \x7f\n",
    "a: \x85\n",
    "a: x\x85b: 2\n",
    "a: x\u2028b: 1\n",
    'a: "x\u2029y"\n',
    "a: 1\r\n\r\nb: 2",
    "a: 1\rb: 2\r",
    "\ufeffa: 1\nb: 2\n",
    "a: 1\n\ufeffb: 2\n",
    "a: \ud800\n",
    "a: \ufffe\n",
    "\u00e9: \u00e9\nb: \U0001f600\n",
    # tabs and indentation
    "a:\tb\n",
    "a: 1\n\tb: 2\n",
    "a: x\ty\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n    - 1\n  - 2\n",
    "- a\n -b\n",
    "a: x\n  y\n",
    "a:\n  - 1\n  b: 2\n",
    # keys written twice, anchors, aliases, nesting
    "a: 1\na: 2\n",
    "yes: 1\ntrue: 2\n",
    "{a: 1, a: 2}",
    "a: &x 1\nb: *x\n",
    "a: *x\n",
    "a: &x\n",
    "[&a, b]",
    "<<: {a: 1}\n",
    "[" * 30 + "]" * 30,
    "{a: " * 25 + "}" * 25,
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30)),
    # numbers and dates, by the core schema and past what a float holds
    "a: 017\nb: 1:30\nc: 1e3\nd: 1_000\ne: 0o17\nf: 0x1F\n",
    "a: 1e400\nb: -.inf\nc: .NaN\n",
    "a: " + "9" * 5000 + "\n",
    "a: 0o19\nb: 0x\n",
    "a: !!int x\n",
    "a: !!float 1_0\n",
    "a: 2023-02-30\n",
    "2023-02-30: a\n",
    "a: 2023-02-28 25:00:00\n",
    "a: !!binary +++\n",
    "a: !!bool x\n",
    "? !!bool maybe\n: 1\n",
    "a: !!timestamp x\n",
    "a: !!timestamp 2023-02-30\n",
    # empty values, which libyaml's parser places apart from PyYAML's
    "a:\n",
    "a:",
    "---",
    "{a: }",
    "a: {b: \n}\n",
    "a: [b: \n]\n",
    "- \n- 1",
    "!",
    "a: !\nb: ! x\n",
    "? a\n: b\n",
    "- ? a\n",
    # flow collections, block scalars, directives, documents, tags
    "[a:b]",
    "{a: b:c}",
    "[http://x]",
    "[a, b: c]",
    "[{a: b}: c]",
    "{[a]: b}",
    "a: [1,,2]\n",
    "a: {b: 1, c: 2?}\n",
    "a: |\n  x\n   y\n z\n",
    "a: >2\n   x\n",
    "a: |#c\n  x\n",
    "a: >-#c\n  x\n",
    "a: |+\n\n",
    "a: |0\n x\n",
    "%YAML 1.2\n---\na: 1\n",
    "%YAML 1.3\n---\na: 1\n",
    "%YAML 2.0\n---\na: 1\n",
    "a: 1\n...\n%YAML 1.1\n---\nb: 2\n",
    "--- a\n--- b\n",
    "a: 1\n---\n",
    "!<tag:x> a",
    "a: !local x\n",
    "!!map {a: 1}",
    "!!seq [1]",
    "a: !!set {x}\n",
    "a: !!omap [x]\n",
    'a: "\\x41\\/\\N\\_\\L\\P\\e\\ "\n',
    'a: "\\q"\n',
    "a: 'it''s'\n",
    "a: 'x\n",
    'a: "x\n',
    "a: [1, 2\n",
    "a: b: c\n",
    "k" * 1100 + ": 1\n",
    "a: @x\n",
    "a: `x\n",
    "",
    " ",
    "# only a comment\n",
    "- 1\n- 2\n",
    "12\n",
]

FRAGMENTS = [
    *"-:?[]{},#&*!|>'\"%@` \t\n\r\\0123456789.eE+_xo",
    *("\x85", "\u2028", "\x00", "\x07", "\u00e9", "\ufeff", "...", "---", "\n- ", ": "),
    *("!!int ", "!!float ", "!!str ", "2023-02-30", "1e400", "0x1F", "0o17", ".inf", "~", "yes"),
    *("%YAML 1.1\n", "\n  ", "\n    ", "|-\n  x\n", ">\n  a\n\n  b\n", "&a ", "*a", "{a: \n}"),
]


def canonical(value: Any) -> Any:
    """The data with every value's type, so 1, 1.0 and True differ (and NaN equals NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, dict):
        return ("dict", [(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [canonical(v) for v in value])
    return (type(value).__name__, value)


def tree(node: yaml.Node | None) -> Any:
    """Each node's kind, tag and start; a scalar's value. (Ends are not read by the library.)"""
    if node is None:
        return None
    mark = node.start_mark
    here = (type(node).__name__, node.tag, mark.line, mark.column, mark.index)
    if isinstance(node, yaml.ScalarNode):
        return (*here, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*here, [tree(child) for child in node.value])
    return (*here, [(tree(key), tree(value)) for key, value in node.value])


def reading(text: str, kind: str, mapping: bool, *, reference: bool = False) -> Any:
    found: list[RuleProblem] = []
    if reference:
        doc, node = _yaml._read_reference(text, "f.yaml", found, kind, mapping)
    else:
        doc, node = parse_yaml(text, "f.yaml", found, kind=kind, mapping=mapping)
    return canonical(doc), tree(node), [(p.file, p.location, p.message, p.line) for p in found]


def check_alike(text: str) -> None:
    for kind, mapping in KINDS:
        assert reading(text, kind, mapping) == reading(text, kind, mapping, reference=True), text


def damaged(text: str, rng: random.Random) -> str:
    """``text`` with a few characters put in, cut out or copied from elsewhere in it."""
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        how = rng.random()
        if how < 0.6:
            text = text[:at] + rng.choice(FRAGMENTS) + text[at:]
        elif how < 0.8:
            text = text[:at] + text[at + rng.randint(1, 5) :]
        else:
            start = rng.randint(0, len(text))
            text = text[:at] + text[start : start + rng.randint(1, 30)] + text[at:]
    return text


def test_the_corpus_is_there():
    assert len(BUNDLED) >= 10 and any(p.parent.name == "cases" for p in BUNDLED)
    assert any(p.is_relative_to(REPO / "examples") for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_in_the_repository_reads_alike(path):
    check_alike(path.read_text(encoding="utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_texts_read_alike(text):
    check_alike(text)


@fuzz(150)
@given(st.sampled_from(BUNDLED), st.randoms(use_true_random=False))
def test_damaged_rule_and_case_files_read_alike(path, rng):
    check_alike(damaged(path.read_text(encoding="utf-8"), rng))


@fuzz(100)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_texts_of_yaml_fragments_read_alike(text):
    check_alike(text)


@fuzz(20)
@given(rule_documents(valid=None))
def test_generated_rule_documents_read_alike(text):
    check_alike(text)


@with_libyaml
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_bundled_files_are_read_by_libyaml(path):
    # the speed is the point of the second parser: a bundled file left to the reference would
    # still read correctly, so nothing else would notice
    text = path.read_text(encoding="utf-8")
    assert _yaml._FastLoader is not None
    fast = _yaml._read_fast(_yaml._FastLoader, text, str(path), "rule and case files", True)
    assert fast is not None and fast[2] == []


@with_libyaml
def test_the_fast_loader_composes_and_constructs_in_python():
    # only the events come from C: the composer, with its refusals, is the Python one
    names = {
        name: next(c for c in _yaml._CLoader.__mro__ if name in vars(c))
        for name in ("get_single_node", "compose_document", "compose_node", "get_event")
    }
    assert names["compose_node"] is _yaml._Loading
    assert names["get_single_node"] is names["compose_document"] is yaml.composer.Composer
    assert names["get_event"] is yaml._yaml.CParser


@pytest.mark.parametrize("text", [*HOSTILE[::7], BUNDLED[0].read_text(encoding="utf-8")])
def test_without_libyaml_the_reference_reads_everything(monkeypatch, text):
    monkeypatch.setattr(_yaml, "_FastLoader", None)
    check_alike(text)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("id: x\nflag: !!bool maybe\n", "'maybe' is not true or false"),
        ("id: x\nwhen: !!timestamp soon\n", "'soon' is not a date"),
        ("id: x\n? !!bool perhaps\n: 1\n", "'perhaps' is not true or false"),
    ],
)
def test_an_explicit_tag_on_text_it_cannot_read_is_a_problem_with_its_line(text, refused):
    # PyYAML's own constructors fail here with a KeyError or an AttributeError
    found: list[RuleProblem] = []
    assert parse_yaml(text, "f.yaml", found) == (None, None)
    assert [(p.line, p.message.splitlines()[0]) for p in found] == [
        (2, f"not valid YAML: {refused}")
    ]
