"""Release conventions: the changelog and the citation file keep in step with the version.

The rule, stated at the top of CHANGELOG.md: ``earlywarning.__version__`` is the version the
next release will carry. Until it is released, its changes sit under ``## [Unreleased]``,
whose first line is ``Next release: X.Y.Z.``; a release renames that heading to
``## [X.Y.Z] - YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

import earlywarning as ew

REPO = Path(__file__).resolve().parents[1]
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")

# Keep a Changelog 1.1.0: the kinds of change a version's section is divided into
KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$")


def _sections(text: str) -> list[tuple[str, str | None, str]]:
    """Each ``## [...]`` section: its name, its date (None if undated) and its text."""
    parts = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    out = []
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        m = _HEADING.match(heading.strip())
        assert m, f"CHANGELOG.md: {heading!r} is not '## [X.Y.Z] - YYYY-MM-DD' or '## [Unreleased]'"
        out.append((m["name"], m["date"], body))
    return out


def _version(text: str) -> tuple[int, ...]:
    assert re.fullmatch(r"\d+\.\d+\.\d+", text), f"{text!r} is not a version X.Y.Z"
    return tuple(int(x) for x in text.split("."))


def version_problem(text: str, version: str) -> str | None:
    """Why the changelog ``text`` does not name ``version`` as the rule asks, or None."""
    sections = {name: (when, body) for name, when, body in _sections(text)}
    if version in sections:
        return None if sections[version][0] else f"## [{version}] is released, so needs a date"
    if "Unreleased" not in sections:
        return f"no section ## [{version}] and no ## [Unreleased]"
    lines = sections["Unreleased"][1].strip().splitlines()
    first = lines[0] if lines else ""
    if first != f"Next release: {version}.":
        return f"## [Unreleased] should begin 'Next release: {version}.', not {first!r}"
    return None


def test_changelog_names_the_current_version() -> None:
    assert version_problem(CHANGELOG, ew.__version__) is None, version_problem(
        CHANGELOG, ew.__version__
    )


def test_the_version_check_refuses_a_changelog_that_names_another_version() -> None:
    assert version_problem(CHANGELOG, "9.9.9") is not None
    released = CHANGELOG.replace("## [Unreleased]", f"## [{ew.__version__}] - 2027-01-04")
    assert version_problem(released, ew.__version__) is None
    undated = CHANGELOG.replace("## [Unreleased]", f"## [{ew.__version__}]")
    assert version_problem(undated, ew.__version__) is not None


def test_changelog_follows_keep_a_changelog() -> None:
    assert CHANGELOG.startswith("# Changelog\n")
    sections = _sections(CHANGELOG)
    names = [name for name, _, _ in sections]
    assert names[0] == "Unreleased", "## [Unreleased] comes first"
    assert names.count("Unreleased") == 1
    released = [(name, when) for name, when, _ in sections[1:]]
    for name, when in released:
        assert when is not None, f"## [{name}] has no date"
        date.fromisoformat(when)
    versions = [_version(name) for name, _ in released]
    assert versions == sorted(versions, reverse=True), "versions newest first"
    assert all(v <= _version(ew.__version__) for v in versions), (
        "a released version above the package's version"
    )
    for name, _, body in sections:
        kinds = re.findall(r"^### (.*)$", body, flags=re.MULTILINE)
        assert kinds, f"## [{name}] lists no changes"
        assert set(kinds) <= set(KINDS), f"## [{name}]: {set(kinds) - set(KINDS)}"
        assert len(kinds) == len(set(kinds)), f"## [{name}] repeats a kind of change"


# The keys CFF 1.2.0 defines at the top level, and those it requires
_CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}  # fmt: skip
_CFF_REQUIRED = {"authors", "cff-version", "message", "title"}


def test_citation_file_is_cff_1_2_0_with_the_current_version() -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert set(cff) >= _CFF_REQUIRED, f"missing {_CFF_REQUIRED - set(cff)}"
    assert set(cff) <= _CFF_KEYS, f"keys CFF 1.2.0 does not define: {set(cff) - _CFF_KEYS}"
    assert cff["type"] in ("software", "dataset")
    assert isinstance(cff["title"], str) and cff["title"].startswith("earlywarning")
    assert isinstance(cff["message"], str) and cff["message"]
    assert cff["authors"], "at least one author"
    for author in cff["authors"]:
        # a person (family-names) or an entity (name)
        assert {"name", "family-names"} & set(author), author
    # a string, as the schema requires: YAML would read 0.10 unquoted as the float 0.1
    assert cff["version"] == ew.__version__
    assert isinstance(cff["keywords"], list) and all(isinstance(k, str) for k in cff["keywords"])
