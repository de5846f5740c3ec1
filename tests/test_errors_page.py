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


def sections() -> dict[str, str]:
    """Each '## `Name`' section of the page, by name."""
    text = PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## `([A-Za-z]+)`$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_error_is_shown_raised_with_its_message():
    # a Python example that catches the class by name and prints, or a command that hits it
    for name in classes_in_errors_module():
        cls = getattr(earlywarning.errors, name)
        if not issubclass(cls, Exception) or issubclass(cls, Warning):
            continue  # RuleProblem is part of an error; warnings are checked below
        body = sections()[name]
        caught = f"except ew.{name}" in body and '```text title="Output"' in body
        assert caught or "$ earlywarning" in body, f"the {name} section shows it nowhere"


def test_every_warning_is_shown_given():
    text = PAGE.read_text(encoding="utf-8")
    outputs = "".join(re.findall(r'```text title="Output"\n(.*?)```', text, flags=re.DOTALL))
    for name in classes_in_errors_module():
        cls = getattr(earlywarning.errors, name)
        if isinstance(cls, type) and issubclass(cls, Warning) and cls.__subclasses__() == []:
            assert name in outputs, f"no example on the page prints a {name}"
