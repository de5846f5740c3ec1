"""The per-rule and per-band tables of a validation, from the evaluation and the outcomes.

Private machinery of :mod:`earlywarning.validation`; the names are public within this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from earlywarning.engine import Evaluation
from earlywarning.metrics import auc_or_nan
from earlywarning.rules import BAND_NAMES, Condition

__all__ = ["KnownOutcome", "band_table", "indicator_table"]


@dataclass(frozen=True)
class KnownOutcome:
    """One outcome read from a frame: where it is known, and its value there."""

    name: str
    known: np.ndarray
    value: np.ndarray


def _rule_row(ev: Evaluation, j: int, y: np.ndarray, known: np.ndarray) -> dict[str, Any]:
    ind = ev.ruleset.indicators[j]
    points = ev.points[known, j]
    has_data = ev.level[known, j] >= 0
    value = ev.columns.measures[ind.measure][known]
    sign = -1.0 if ind.direction == "higher_is_better" else 1.0
    return {
        "rule": ind.id,
        "kind": ind.kind,
        "measure": ind.measure,
        "with_data": int(has_data.sum()),
        "scored": int(np.count_nonzero(points)),
        "auc_points": auc_or_nan(points, y) if np.ptp(points) > 0 else float("nan"),
        "auc_value": auc_or_nan(sign * value[has_data], y[has_data])
        if has_data.any()
        else float("nan"),
    }


def _combination_row(ev: Evaluation, c: int, y: np.ndarray, known: np.ndarray) -> dict[str, Any]:
    combo = ev.ruleset.combinations[c]
    points = ev.points[known, len(ev.ruleset.indicators) + c]

    # with data: every 'all' condition measured, and at least one 'any' condition
    def measured(conds: tuple[Condition, ...]) -> list[np.ndarray]:
        return [~np.isnan(ev.columns.measures[cond.measure][known]) for cond in conds]

    with_data = np.ones(int(known.sum()), dtype=bool)
    for measured_all in measured(combo.all or ()):
        with_data &= measured_all
    names = [cond.measure for cond in combo.all or ()]
    if combo.any:
        with_data &= np.logical_or.reduce(measured(combo.any))
        alternatives = " or ".join(cond.measure for cond in combo.any)
        names.append(f"({alternatives})" if names else alternatives)
    return {
        "rule": combo.id,
        "kind": "combination",
        "measure": " and ".join(names),
        "with_data": int(with_data.sum()),
        "scored": int(np.count_nonzero(points)),
        "auc_points": auc_or_nan(points, y) if np.ptp(points) > 0 else float("nan"),
        "auc_value": float("nan"),
    }


def indicator_table(ev: Evaluation, outcome: KnownOutcome) -> pd.DataFrame:
    """The AUC of each rule's points alone, and of its raw measure where it had data."""
    known = outcome.known
    y = outcome.value[known]
    rows = [_rule_row(ev, j, y, known) for j in range(len(ev.ruleset.indicators))]
    rows += [_combination_row(ev, c, y, known) for c in range(len(ev.ruleset.combinations))]
    return pd.DataFrame(rows).set_index("rule")


def band_table(band: pd.Series, outcomes: list[KnownOutcome]) -> pd.DataFrame:
    rows = []
    for name in BAND_NAMES:
        here = (band == name).to_numpy()
        row: dict[str, Any] = {"band": name, "inspections": int(here.sum())}
        for outcome in outcomes:
            applies = here & outcome.known
            count = int((applies & outcome.value).sum())
            row[outcome.name] = count
            row[f"share_{outcome.name}"] = count / applies.sum() if applies.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("band")
