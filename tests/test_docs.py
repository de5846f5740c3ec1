"""Every example in docs/ runs, and the output it shows is the output it prints.

The conventions a page follows (docs/index.md states them for readers too):

* Each ```` ```python ```` block runs, in page order, in one namespace per page, with the
  repository root as the working directory. A block may use names made by an earlier block.
* A ```` ```python ```` block followed directly (blank lines aside) by a block fenced
  ```` ```text title="Output" ```` must print exactly that text. Trailing whitespace is ignored,
  and ``...`` matches any text, as with doctest's ELLIPSIS option.
* In a ```` ```console ```` block, each line starting with ``$ earlywarning`` is run, and the lines
  after it, up to the next ``$``, are what it must print (standard output, then standard error),
  with the same matching.
* A ```` ```yaml ```` block must be valid YAML; one titled with a file of the repository
  (```` ```yaml title="examples/profiles/derbyshire-2016.yaml" ````) must hold that file's data.
* Code blocks must start at the left margin (not inside a list or an admonition), so that none
  is skipped by accident. Blocks in other languages (bash, yaml) are shown, not run.

If a ruleset change moves a score shown in the docs, these tests fail: update the page.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import itertools
import os
import re
import shlex
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import earlywarning as ew
from earlywarning.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
OUTPUT_INFO = 'title="Output"'

_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*(?P<info>.*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    info: str
    indent: str
    body: str
    follows_previous: bool  # only blank lines between this block and the one before

    @property
    def is_output(self) -> bool:
        return self.lang == "text" and OUTPUT_INFO in self.info

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    out: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    last_end = -10
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(m["indent"]) :])
            i += 1
        between = lines[last_end + 1 : start] if last_end >= 0 else ["x"]
        out.append(
            Block(
                page=page.name,
                line=start + 1,
                lang=m["lang"],
                info=m["info"],
                indent=m["indent"],
                body="\n".join(body) + "\n",
                follows_previous=all(not s.strip() for s in between),
            )
        )
        last_end = i
        i += 1
    return out


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"


_CHECKER = doctest.OutputChecker()


def check_output(where: str, want: str, got: str) -> None:
    """Fail, with a diff, unless ``got`` matches ``want`` (``...`` matching any text)."""
    want, got = _normalise(want), _normalise(got)
    if not _CHECKER.check_output(want, got, doctest.ELLIPSIS):
        diff = _CHECKER.output_difference(doctest.Example("", want), got, doctest.ELLIPSIS)
        pytest.fail(f"{where}: the printed output differs from the page.\n{diff}", pytrace=False)


def run_console(block: Block) -> None:
    """Run each ``$ earlywarning ...`` line of a console block and check what follows it."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            pytest.fail(f"{block.where}: output before any '$ ' command", pytrace=False)
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "earlywarning", f"{block.where}: only earlywarning commands are run"
        check_output(f"{block.where}: $ {command}", "\n".join(expected), run_cli(argv[1:]))


def run_cli(argv: list[str]) -> str:
    """What ``earlywarning ARGV...`` prints, standard output then standard error.

    The command runs in this process (a fresh interpreter per command would cost a second
    each), from the repository root, as a reader would run it from a checkout.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(ROOT),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        warnings.catch_warnings(),
        # argparse exits on a usage error or --help, having printed what the reader sees
        contextlib.suppress(SystemExit),
    ):
        # pytest shows every deprecation warning, which main() would print among the output;
        # the reader's interpreter starts with these filters and shows none of them
        warnings.resetwarnings()
        for category in (
            DeprecationWarning,
            PendingDeprecationWarning,
            ImportWarning,
            ResourceWarning,
        ):
            warnings.simplefilter("ignore", category)
        main(argv, out=stdout)
    return stdout.getvalue() + stderr.getvalue()


@pytest.fixture
def agg_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Draw figures off screen, and close them afterwards."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib = pytest.importorskip("matplotlib")  # in the test extra; Plots needs it
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _shown_output(found: list[Block], n: int) -> str | None:
    """The Output block directly after block ``n``, if there is one."""
    output = found[n + 1] if n + 1 < len(found) else None
    return output.body if output and output.is_output and output.follows_previous else None


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run_and_print_what_they_show(
    page: Path, monkeypatch: pytest.MonkeyPatch, agg_backend: None
) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    found = blocks(page)
    for n, block in enumerate(found):
        if block.lang != "python":
            continue
        want = _shown_output(found, n)
        stdout = io.StringIO()
        # pad with blank lines so that a traceback gives the line number within the page
        code = compile("\n" * block.line + block.body, f"docs/{block.page}", "exec")
        with contextlib.redirect_stdout(stdout):
            exec(code, namespace)
        if want is not None:
            check_output(block.where, want, stdout.getvalue())


COMMAND_PAGES = [p for p in PAGES if any(b.lang == "console" for b in blocks(p))]


# A test of their own, so that the fast tier can leave them out: between them the commands run
# validate and fit, seconds of work, and they share nothing with the python blocks but the files.
@pytest.mark.slow
@pytest.mark.parametrize("page", COMMAND_PAGES, ids=[p.name for p in COMMAND_PAGES])
def test_page_commands_print_what_they_show(page: Path, agg_backend: None) -> None:
    found = blocks(page)
    for n, block in enumerate(found):
        if block.lang == "console":
            assert _shown_output(found, n) is None, (
                f"{block.where}: a console block holds its own output"
            )
            run_console(block)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_blocks_follow_the_conventions(page: Path) -> None:
    found = blocks(page)
    for n, block in enumerate(found):
        assert not (block.indent and block.lang in ("python", "console")), (
            f"{block.where}: an indented code block would not be run; move it to the margin"
        )
        if block.is_output:
            before = found[n - 1] if n else None
            assert before is not None and before.lang == "python" and block.follows_previous, (
                f"{block.where}: an Output block must directly follow a python block"
            )
        if block.lang == "yaml":
            shown = yaml.safe_load(block.body)  # every YAML example is valid YAML
            title = re.search(r'title="([^"]+)"', block.info)
            if title:
                # a block titled with a file of the repository shows that file's content
                source = ROOT / title[1]
                assert source.is_file(), f"{block.where}: no file {title[1]}"
                assert shown == yaml.safe_load(source.read_text(encoding="utf-8")), (
                    f"{block.where}: the YAML shown differs from {title[1]}"
                )


def test_there_are_checked_examples() -> None:
    # guards the parser itself: if it found nothing, every page would pass vacuously
    all_blocks = [b for p in PAGES for b in blocks(p)]
    assert sum(b.lang == "python" for b in all_blocks) >= 20
    assert sum(b.is_output for b in all_blocks) >= 15
    assert sum(b.lang == "console" for b in all_blocks) >= 3


# ----------------------------------------------------------------------------------------------
# Pages that describe the code and the rules must name everything in them


def _levels_cell(ind: Any) -> str:
    """The levels column of docs/indicators.md for one indicator, in the page's notation."""
    parts = []
    for level in ind.levels:
        if level.label:
            where = level.label
        elif level.from_ is None:
            where = f"under {level.below:g}"
        elif level.below is None:
            where = f"{level.from_:g} or more"
        else:
            where = f"{level.from_:g} to {level.below:g}"
        points = f"{level.points:+g}" if level.points else "0"
        flag = f" (red flag: {level.red_flag})" if level.red_flag else ""
        parts.append(f"{where}: {points}{flag}")
    return "; ".join(parts)


def _conditions_cell(combo: Any) -> str:
    """The conditions column of docs/indicators.md for one combination.

    ``all`` conditions are joined by "and"; ``any`` conditions by "or", in brackets when they
    follow ``all`` conditions: "`a` from 1 and (`b` from 4 or `c` from 20)".
    """

    def text(c: Any) -> str:
        return (
            f"`{c.measure}` from {c.from_:g}"
            if c.from_ is not None
            else (f"`{c.measure}` below {c.below:g}")
        )

    every = [text(c) for c in combo.all or ()]
    either = " or ".join(text(c) for c in combo.any or ())
    if either and every and len(combo.any) > 1:
        either = f"({either})"
    return " and ".join([*every, either] if either else every)


def _table_rows(page: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (DOCS / page).read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`(?P<id>[a-z0-9_]+)`\s*\|", line)
        if m:
            rows[m["id"]] = line
    return rows


def test_indicators_page_lists_every_rule_with_its_levels_and_points() -> None:
    rules = ew.load_ruleset()
    rows = _table_rows("indicators.md")
    for ind in rules.indicators:
        assert ind.id in rows, f"indicator {ind.id} is not in docs/indicators.md"
        assert f"`{ind.measure}`" in rows[ind.id], f"{ind.id}: measure {ind.measure} not shown"
        cell = _levels_cell(ind)
        assert cell in rows[ind.id], f"{ind.id}: levels should read {cell!r}"
    for ind in rules.indicators:
        for offset in ind.offsets:
            assert f"`{offset}`" in rows[ind.id], f"{ind.id}: offsets {offset} not shown"
    for combo in rules.combinations:
        assert combo.id in rows, f"combination {combo.id} is not in docs/indicators.md"
        assert f"{combo.points:+g}" in rows[combo.id], f"{combo.id}: points {combo.points:+g}"
        cell = _conditions_cell(combo)
        assert cell in rows[combo.id], f"{combo.id}: conditions should read {cell!r}"
    known = {i.id for i in rules.indicators} | {c.id for c in rules.combinations}
    assert set(rows) <= known, f"rules in the page but not the ruleset: {set(rows) - known}"


def _hooks() -> Any:
    """docs/hooks.py, which decides which modules are public for the site and for these tests."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PUBLIC_MODULES = sorted(_hooks().public_modules())


def test_every_public_module_has_a_generated_reference_page() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:")[1])
    listed = {page for entry in nav for page in _nav_pages(entry)}
    for module in PUBLIC_MODULES:
        page = DOCS / "reference" / f"{module}.md"
        assert page.is_file(), f"earlywarning.{module} has no page docs/reference/{module}.md"
        assert f"::: earlywarning.{module}" in page.read_text(encoding="utf-8")
        assert f"reference/{module}.md" in listed, f"reference/{module}.md is not in the nav"


def _nav_pages(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [page for item in entry for page in _nav_pages(item)]
    return [page for value in entry.values() for page in _nav_pages(value)]


def _case_sections() -> dict[str, str]:
    """The sections of docs/cases.md by case id, from headings ending in (`case-id`)."""
    text = (DOCS / "cases.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    sections: dict[str, str] = {}
    for part in parts[1:]:
        m = re.match(r"[^\n]*\(`(?P<id>[a-z0-9-]+)`\)\s*\n", part)
        if m:
            sections[m["id"]] = part
    return sections


def _case_value(value: Any) -> str:
    """An encoded value as the table in docs/cases.md writes it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def test_cases_page_shows_every_case_with_its_encoded_values() -> None:
    from earlywarning.cases import STATISTICS_FILE

    sections = _case_sections()
    cases = ew.load_cases()
    assert sorted(sections) == sorted(c.id for c in cases), "one section per documented case"
    for case in cases:
        section = sections[case.id]
        assert f'cases["{case.id}"]' in section, f"{case.id}: no code block scores the case"
        assert f"img/cases/{case.id}.png" in section, f"{case.id}: no contributions figure"
        rows: dict[str, list[str]] = {}
        for line in section.splitlines():
            m = re.match(r"^\|\s*`(?P<field>[a-z0-9_]+)`\s*\|", line)
            if m:
                rows[m["field"]] = [cell.strip() for cell in line.strip().strip("|").split("|")]
        encoded = {k: v for k, v in case.profile.items() if k not in ("council", "year", "la_code")}
        assert set(rows) == set(encoded), f"{case.id}: the table should list {sorted(encoded)}"
        for field, value in encoded.items():
            evidence = case.evidence[field]
            _, shown, kind, source, *_ = rows[field]
            where = f"docs/cases.md, {case.id}, {field}"
            assert shown == _case_value(value), f"{where}: value should be {_case_value(value)}"
            if evidence.kind == "judgement":
                assert evidence.plausible_range is not None
                low, high = evidence.plausible_range
                assert kind == f"judgement, range {low:g} to {high:g}", f"{where}: kind {kind!r}"
            elif evidence.source == STATISTICS_FILE:
                assert kind == "figure from the national statistics", f"{where}: kind {kind!r}"
                column = re.search(r"\(column ([A-Za-z0-9_]+)", evidence.fact)
                assert column and f"`{column[1]}`" == source, f"{where}: source {source!r}"
            else:
                assert kind == "figure from the report", f"{where}: kind {kind!r}"
            if evidence.source != STATISTICS_FILE:
                assert source == f"report {evidence.source[:3]}", f"{where}: source {source!r}"


# Building the site takes seconds: the tests that read it are marked slow.
@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with ``mkdocs build --strict`` (a warning fails the build)."""
    tmp_path = tmp_path_factory.mktemp("docs")
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # a notice from mkdocs-material
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "site"


@pytest.mark.slow
def test_mkdocs_builds_strictly(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()


@pytest.mark.slow
def test_reference_documents_every_public_name(built_site: Path) -> None:
    """Each name ``ew`` exports has an entry, generated from its docstring, on its module's page."""
    for name in ew.__all__:
        obj = getattr(ew, name)
        module = getattr(obj, "__module__", None)
        if name == "__version__" or module is None:
            continue
        # a name defined in a private module is documented where it is imported from
        module = ".".join(
            itertools.takewhile(lambda part: not part.startswith("_"), module.split("."))
        )
        page = built_site / "reference" / module.removeprefix("earlywarning.") / "index.html"
        assert page.is_file(), f"{name}: no reference page for {module}"
        assert f'id="{module}.{name}"' in page.read_text(encoding="utf-8"), (
            f"{name} has no entry on the reference page of {module}"
        )


@pytest.mark.slow
def test_reference_lists_every_profile_field(built_site: Path) -> None:
    from earlywarning.profile import FIELD_NAMES

    page = (built_site / "reference" / "profile" / "index.html").read_text(encoding="utf-8")
    for field in FIELD_NAMES:
        assert f"<td><code>{field}</code></td>" in page, f"{field} is not in the fields table"


@pytest.mark.slow
def test_api_page_lists_every_public_module(built_site: Path) -> None:
    page = (built_site / "api" / "index.html").read_text(encoding="utf-8")
    for module in PUBLIC_MODULES:
        assert f"<code>earlywarning.{module}</code>" in page, f"earlywarning.{module}"


@pytest.mark.slow
def test_site_header_shows_the_version(built_site: Path) -> None:
    page = (built_site / "index.html").read_text(encoding="utf-8")
    header = re.search(r'<header class="md-header.*?</header>', page, re.S)
    assert header, "no mkdocs-material header on the home page"
    assert f"earlywarning {ew.__version__}" in header.group(0)


@pytest.mark.slow
def test_site_pages_fetch_nothing_from_elsewhere(built_site: Path) -> None:
    """Read offline, a page must look the same: no stylesheet, font or script from another host."""
    external = re.compile(r'<(?:link|script)\b[^>]*(?:href|src)="(?:https?:)?//', re.I)
    for page in built_site.rglob("*.html"):
        hit = external.search(page.read_text(encoding="utf-8"))
        assert hit is None, f"{page.relative_to(built_site)}: {hit and hit.group(0)}"


@pytest.mark.slow
def test_notebook_page_shows_what_each_cell_displays(built_site: Path) -> None:
    """docs/hooks.py puts each notebook cell's display (its last value's _repr_html_) after it."""
    page = (built_site / "notebooks" / "index.html").read_text(encoding="utf-8")
    for kind in ("assessment", "what-if", "smallest-change", "validation", "watchlist-report"):
        assert f'data-earlywarning="{kind}"' in page, kind
    assert page.count("<iframe") == 1 and 'sandbox="" srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "Derbyshire (2016)" in page and "43 of 100" in page
