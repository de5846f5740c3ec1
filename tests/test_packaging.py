"""The wheel: it carries the default rules, the cases and py.typed, and works on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import earlywarning as ew

REPO = Path(__file__).resolve().parents[1]

# every test here reads the wheel, and building it runs pip and hatchling
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # pip fetches hatchling into an isolated build environment: this needs the package index
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout}\n{result.stderr}"
    (whl,) = out.glob("earlywarning-*.whl")
    return whl


def test_wheel_contains_rules_cases_and_py_typed(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "earlywarning/py.typed" in names
    assert "earlywarning/_rules/ruleset.yaml" in names
    rule_files = sorted((REPO / "rules").glob("*.yaml"))
    case_files = sorted((REPO / "rules" / "cases").glob("*.yaml"))
    assert rule_files and case_files
    for f in rule_files:
        assert f"earlywarning/_rules/{f.name}" in names, f.name
    for f in case_files:
        assert f"earlywarning/_rules/cases/{f.name}" in names, f.name
    # the bundled files are the repository's, byte for byte
    with zipfile.ZipFile(wheel) as z:
        for f in rule_files:
            assert z.read(f"earlywarning/_rules/{f.name}") == f.read_bytes(), f.name


def test_wheel_works_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # the unzipped wheel first, so it wins over the editable install of this checkout
    env["PYTHONPATH"] = str(site)
    env["PYTHONSAFEPATH"] = "1"
    # The editable install of this checkout adds src/ to sys.path through a .pth file: take it
    # out, so that only the unzipped wheel can provide earlywarning.
    src = str((REPO / "src").resolve())
    code = (
        "import os, sys\n"
        f"sys.path[:] = [p for p in sys.path if not p or os.path.realpath(p) != {src!r}]\n"
        "import earlywarning as ew\n"
        "r = ew.load_ruleset()\n"
        "print(ew.__file__)\n"
        "print(r.id)\n"
        "print(r.content_hash)\n"
        "print(ew.score({'council': 'A', 'year': 2020, 'dcs_changes': 3}).band)\n"
        f"print(sys.path[0] == {str(site)!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    file, rules_id, content_hash, band, site_first = result.stdout.split()
    assert site_first == "True"
    assert Path(file).resolve().is_relative_to(site.resolve()), file
    rules = ew.load_ruleset(REPO / "rules")
    assert rules_id == rules.id
    assert content_hash == rules.content_hash  # the bundled copy is the repository's rules
    assert band == ew.score({"council": "A", "year": 2020, "dcs_changes": 3}).band


def test_wheel_ships_the_report_templates_and_renders_a_page(wheel, tmp_path):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted((REPO / "src" / "earlywarning" / "report" / "templates").iterdir())
    assert templates
    for f in templates:
        assert f"earlywarning/report/templates/{f.name}" in names, f.name
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(site)
    src = str((REPO / "src").resolve())
    code = (
        "import os, sys\n"
        f"sys.path[:] = [p for p in sys.path if not p or os.path.realpath(p) != {src!r}]\n"
        "import earlywarning as ew\n"
        "html = ew.report(profile={'council': 'A', 'year': 2020, 'dcs_changes': 3}).to_html()\n"
        "print(ew.__file__)\n"
        "print(html.count('<h1>'), html.count('role=\"img\"'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    file, headings, charts = result.stdout.split()
    assert Path(file).resolve().is_relative_to(site.resolve()), file
    assert (headings, charts) == ("1", "1")
