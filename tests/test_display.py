"""What notebooks show for each result: ``_repr_html_`` is well-formed HTML, escapes every text
the user gave (council names, rule labels), shows the result's figures, and keeps its styles to
itself; ``repr`` is short."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

import earlywarning as ew
from earlywarning.report._notebook import notebook_council

HOSTILE = "<script>alert('x')</script> & \"Bath\" <b>"
# elements that have no end tag
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Checker(HTMLParser):
    """Records what a fragment holds, and fails on a tag closed out of order or never closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.srcdocs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self.srcdocs += [v or "" for k, v in attrs if k == "srcdoc"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def checked(fragment: str, *, document: bool = False) -> _Checker:
    """Parse ``fragment``, failing unless every element is closed in order; with ``document``
    it may be a whole page (a doctype, a stylesheet in its head)."""
    checker = _Checker()
    checker.feed(fragment)
    checker.close()
    assert not checker.stack, f"elements left open: {checker.stack}"
    assert "script" not in checker.tags
    assert not [k for k, _ in checker.attrs if k.startswith("on")], "an event handler"
    if not document:
        # a <style> element in a notebook's output would restyle the whole notebook
        assert "style" not in checker.tags and "link" not in checker.tags
    return checker


def shown_text(fragment: str) -> str:
    """The text a reader sees, entities decoded, runs of space made one."""
    return re.sub(r"\s+", " ", " ".join(checked(fragment).text))


@pytest.fixture(scope="module")
def hostile_rules() -> ew.Ruleset:
    """The bundled ruleset with the agency rule's label made hostile."""
    rules = ew.load_ruleset()
    indicators = [
        ind.model_copy(update={"label": HOSTILE}) if ind.id == "agency_rate" else ind
        for ind in rules.indicators
    ]
    return rules.replace(indicators=indicators)


PROFILE: dict[str, Any] = {
    "council": HOSTILE,
    "year": 2020,
    "agency_rate_pct": 30,
    "vacancy_rate_pct": 25,
    "avg_caseload": 19,
    "dcs_changes": 3,
}


def _no_raw_hostile_text(fragment: str) -> None:
    assert HOSTILE not in fragment
    assert "<script" not in fragment and "<b>" not in fragment


def test_assessment_html_shows_the_figures_and_escapes_the_council_and_labels(
    hostile_rules: ew.Ruleset,
) -> None:
    a = ew.score(PROFILE, hostile_rules)
    fragment = a._repr_html_()
    _no_raw_hostile_text(fragment)
    text = shown_text(fragment)
    assert f"{HOSTILE} (2020)" in text
    assert f"{a.score:.0f} of 100" in text and f"{a.coverage:.0%}" in text
    assert a.band in text
    for c in a.contributions:
        if c.points:
            assert c.reason in text, c.indicator
    assert HOSTILE in text  # the hostile label, as text
    for missing in a.missing:
        assert a.labels[missing] in text
    assert a.ruleset_hash in text


def test_a_red_flag_shows_the_band_of_the_points_alone() -> None:
    a = ew.score({"council": "A", "year": 2020, "dcs_changes": 3})
    assert a.band != a.band_from_score
    text = shown_text(a._repr_html_())
    assert f"{a.band} (points alone: {a.band_from_score} ; red flag)" in text


def test_what_if_html_shows_before_after_and_the_rules_that_moved(
    hostile_rules: ew.Ruleset,
) -> None:
    r = ew.what_if(PROFILE, {"agency_rate_pct": 9, "dcs_changes": None}, hostile_rules)
    fragment = r._repr_html_()
    _no_raw_hostile_text(fragment)
    text = shown_text(fragment)
    assert f"{HOSTILE} (2020) with agency_rate_pct = 9, dcs_changes = removed" in text
    assert f"{r.before.score:.0f} {r.before.band}" in text
    assert f"{r.after.score:.0f} {r.after.band}" in text
    assert [m.indicator for m in r.moved] == ["dcs_turnover", "agency_rate"]
    for m in r.moved:
        assert m.label in text
        assert (m.before.reason if m.before else "no points") in text
        assert (m.after.reason if m.after else "no points") in text


def test_smallest_change_html_shows_each_step_and_the_alternatives() -> None:
    r = ew.smallest_change({**PROFILE, "dcs_changes": 0})
    assert r.reachable and r.alternatives
    fragment = r._repr_html_()
    _no_raw_hostile_text(fragment)
    text = shown_text(fragment)
    assert f"the smallest change to reach {r.target_band}" in text
    for step in r.steps:
        assert step.text in text
    for alt in r.alternatives:
        assert "; ".join(s.text for s in alt.steps) in text
    assert f"{r.after.score:.0f} {r.after.band}" in text


def test_smallest_change_html_says_why_nothing_reaches_the_target() -> None:
    r = ew.smallest_change({"council": "A", "year": 2020, "practice_concerns_raised": 1})
    text = shown_text(r._repr_html_())
    assert "reachable no" in text and r.reason[1:] in text
    assert "after the change" not in text


def test_validation_html_shows_the_same_figures_as_the_text(
    validation_report: ew.ValidationReport,
) -> None:
    text = shown_text(validation_report._repr_html_())
    table = validation_report.table()
    for name, row in table.iterrows():
        assert f"{row['ruleset_auc']:.2f} ({row['ruleset_low']:.2f} to" in text, name
        assert f"{row['baseline_auc']:.2f} ({row['baseline_low']:.2f} to" in text, name
    bands = validation_report.bands()
    for band, row in bands.iterrows():
        assert f"{band} {int(row['inspections'])} {int(row['below_good'])} (" in text
    assert validation_report.to_text().splitlines()[0] in text


def test_council_report_is_the_whole_page_in_a_frame_of_its_own(
    hostile_rules: ew.Ruleset,
) -> None:
    r = ew.report(profile={**PROFILE, "year": 2020}, ruleset=hostile_rules)
    fragment = r._repr_html_()
    _no_raw_hostile_text(fragment)
    outer = checked(fragment)
    assert outer.tags == ["iframe"], "the page is inside the frame, nothing outside it"
    (document,) = outer.srcdocs
    # the attribute holds the page exactly, with a base that keeps its "#section" links in it
    base = '<base href="about:srcdoc">'
    assert document == r.to_html().replace("<head>", "<head>" + base, 1)
    assert 'href="#why"' in document
    page = checked(document, document=True)
    assert "style" in page.tags  # the page's stylesheet, kept inside the frame
    # escaped in whichever spelling the page's template uses (&#39; or &#x27;), read as text
    assert HOSTILE not in document and HOSTILE in " ".join(page.text)
    assert ("sandbox", "") in outer.attrs


def test_council_report_without_the_report_extra_shows_the_assessment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "jinja2", None)  # as if it were not installed
    r = ew.report(profile={"council": HOSTILE, "year": 2020, "dcs_changes": 3})
    fragment = notebook_council(r)
    _no_raw_hostile_text(fragment)
    text = shown_text(fragment)
    assert 'pip install "earlywarning[report]"' in text
    assert f"{HOSTILE} (2020)" in text and f"{r.assessment.score:.0f} of 100" in text


def test_watchlist_report_lists_each_council_with_its_figures() -> None:
    w = ew.watchlist_report(2020, councils=["Derby", "Derbyshire"])
    text = shown_text(w._repr_html_())
    assert "Watch list, 2020 (2 councils)" in text
    for row in w.table.to_dict("records"):
        assert f"{row['council']} {row['score']:.0f} {row['band']}" in text


def test_watchlist_report_escapes_its_table() -> None:
    w = ew.watchlist_report(2020, councils=["Derby"])
    hostile = type(w)(w.year, HOSTILE, w.table.assign(council=HOSTILE), HOSTILE, w.ruleset)
    fragment = hostile._repr_html_()
    _no_raw_hostile_text(fragment)
    assert shown_text(fragment).count(HOSTILE) == 3  # title, council, note


def test_reprs_are_short_and_name_the_figures(validation_report: ew.ValidationReport) -> None:
    a = ew.score(PROFILE)
    r = ew.what_if(PROFILE, {"agency_rate_pct": 9})
    s = ew.smallest_change(PROFILE)
    report = ew.report("Derby", 2020)
    w = ew.watchlist_report(2020, councils=["Derby"])
    assert repr(a) == (
        f"Assessment(council={HOSTILE!r}, year=2020, score={a.score!r}, band={a.band!r}, "
        f"coverage={a.coverage!r})"
    )
    assert repr(r).startswith(f"WhatIf(council={HOSTILE!r}, year=2020, changes=")
    assert f"before='{r.before.score:g} {r.before.band}'" in repr(r)
    assert f"reachable={s.reachable}" in repr(s)
    assert repr(report) == (
        f"CouncilReport(council='Derby', year=2020, la_code={report.la_code!r}, "
        f"score={report.assessment.score:g}, band={report.assessment.band!r})"
    )
    assert repr(w) == "WatchlistReport(year=2020, title='Watch list, 2020', councils=1)"
    auc = validation_report.table()["ruleset_auc"].round(2).iloc[:4].to_dict()
    assert validation_report.test is not None
    assert repr(validation_report) == (
        f"ValidationReport(ruleset='earlywarning-default {validation_report.ruleset_version}', "
        f"inspections={len(validation_report.scores)}, "
        f"test_inspections={len(validation_report.test.scores)}, ruleset_auc={auc!r})"
    )
    for obj in (a, r, s, report, w, validation_report):
        assert len(repr(obj)) < 400, type(obj).__name__
