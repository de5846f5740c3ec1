"""The errors page names every error class in errors.py and shows each one raised."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import earlywarning.errors

PAGE = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def classes_in_errors_module() -> list[str]:
    return [
        name
        for name, obj in vars(earlywarning.errors).items()
        if inspect.isclass(obj) and obj.__module__ == earlywarning.errors.__name__
    ]


def test_the_errors_module_has_classes_to_document():
    names = classes_in_errors_module()
    assert {"EarlyWarningError", "ProfileError", "RuleFileError", "RuleProblem"} <= set(names)


def test_every_class_in_errors_py_has_a_section_on_the_errors_page():
    text = PAGE.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## `([A-Za-z]+)`$", text, flags=re.MULTILINE))
    missing = sorted(set(classes_in_errors_module()) - headings)
    assert not missing, f"docs/errors.md has no '## `Name`' section for {missing}"


def test_every_error_section_shows_the_error_raised_and_its_output():
    # each section of an error class runs an example that catches that class by name and prints
    text = PAGE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    for section in sections:
        name = section.split("`")[1] if section.startswith("`") else None
        if name is None or name == "RuleProblem":
            continue  # a section about catching in general, or the part of an error
        assert "```python" in section and '```text title="Output"' in section, name
        assert f"except ew.{name}" in section, f"the {name} example does not catch {name}"
