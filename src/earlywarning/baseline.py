"""The baseline a ruleset is judged against: a logistic regression on the same inputs.

The baseline uses no rules at all: the measures the ruleset reads, median-imputed and
standardised, in a logistic regression whose predictions are cross-validated within the training
period (:func:`cross_validated`), so that no inspection is predicted by a model that saw its
outcome, and fitted on the whole training period and applied unchanged to the test period
(:func:`fitted_and_applied`). It needs scikit-learn, an optional
dependency::

    pip install "earlywarning[validation]"

Example:
    >>> from earlywarning.baseline import baseline_inputs
    >>> "previous_rating_grade" in baseline_inputs()
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from earlywarning._optional import require
from earlywarning.datasets import PROFILE_COLUMNS
from earlywarning.errors import ValidationDependencyError
from earlywarning.rules import Ruleset, load_ruleset

__all__ = [
    "NATIONAL_MEASURES",
    "ValidationDependencyError",
    "baseline_inputs",
    "cross_validated",
    "fitted_and_applied",
]

NATIONAL_MEASURES: tuple[str, ...] = tuple(
    "previous_rating_grade" if c == "previous_rating" else c
    for c in PROFILE_COLUMNS
    if c not in ("council", "year", "la_code", "region")
)
"""The measures the bundled national data can fill (the previous rating as its grade, 1 to 4)."""


def _sklearn() -> dict[str, Any]:
    """The scikit-learn pieces of the baseline, imported on first use."""

    def part(module: str) -> Any:
        return require(
            f"sklearn.{module}",
            ValidationDependencyError,
            "the logistic-regression baseline needs",
            "validation",
            package="scikit-learn",
        )

    selection = part("model_selection")
    return {
        "SimpleImputer": part("impute").SimpleImputer,
        "LogisticRegression": part("linear_model").LogisticRegression,
        "StratifiedKFold": selection.StratifiedKFold,
        "cross_val_predict": selection.cross_val_predict,
        "make_pipeline": part("pipeline").make_pipeline,
        "StandardScaler": part("preprocessing").StandardScaler,
    }


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS held to one thread while the baseline fits.

    The problems are tiny (a few hundred rows, a dozen measures): a multi-threaded BLAS spends
    far longer waking and synchronising its threads than computing, and where every core is
    already busy (a batch of runs, the test workers) it spends several times the CPU of a single
    thread. threadpoolctl is a dependency of scikit-learn, so it is here whenever the baseline is.
    """
    limits = require(
        "threadpoolctl",
        ValidationDependencyError,
        "the logistic-regression baseline needs",
        "validation",
    ).threadpool_limits
    with limits(limits=1, user_api="blas"):
        yield


def baseline_inputs(ruleset: Ruleset | None = None) -> tuple[str, ...]:
    """The measures the baseline uses: those the ruleset reads that the national data provides.

    Every measure an indicator or a combination condition of the ruleset reads, kept if it is
    in :data:`NATIONAL_MEASURES`, in that order. So the baseline and the ruleset see the same
    facts about each inspection, and only the way they weigh them differs.

    Example:
        >>> from earlywarning.baseline import baseline_inputs
        >>> "previous_rating_grade" in baseline_inputs()
        True
    """
    rules = ruleset if ruleset is not None else load_ruleset()
    used = {ind.measure for ind in rules.indicators}
    used |= {cond.measure for combo in rules.combinations for cond in combo.conditions}
    return tuple(m for m in NATIONAL_MEASURES if m in used)


def _model(sk: dict[str, Any]) -> Any:
    return sk["make_pipeline"](
        sk["SimpleImputer"](strategy="median"),
        sk["StandardScaler"](),
        sk["LogisticRegression"](max_iter=1000),
    )


def cross_validated(inputs: np.ndarray, outcome: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold probabilities of a median-imputed, standardised logistic regression.

    Each row's probability comes from a model fitted on the other folds (stratified, shuffled
    with ``seed``), so no row is predicted by a model that saw its outcome.

    Raises:
        ValidationDependencyError: scikit-learn is not installed.

    Example:
        >>> import numpy as np
        >>> from earlywarning.baseline import cross_validated
        >>> x = np.arange(12.0).reshape(-1, 1)
        >>> p = cross_validated(x, x[:, 0] >= 6, folds=3, seed=0)
        >>> bool(p[-1] > p[0])
        True
    """
    sk = _sklearn()
    model = _model(sk)
    splitter = sk["StratifiedKFold"](n_splits=folds, shuffle=True, random_state=seed)
    with _one_blas_thread():
        proba = sk["cross_val_predict"](model, inputs, outcome, cv=splitter, method="predict_proba")
    return np.asarray(proba, dtype=float)[:, 1]


def fitted_and_applied(
    inputs: np.ndarray, outcome: np.ndarray, applied_to: np.ndarray
) -> np.ndarray:
    """Probabilities for ``applied_to`` from the baseline fitted on ``inputs`` and ``outcome``.

    The imputation medians, the standardisation and the coefficients are all learnt from the
    fitted rows alone (the training period), so the rows it is applied to (the test period)
    take no part in the fit.

    Raises:
        ValidationDependencyError: scikit-learn is not installed.

    Example:
        >>> import numpy as np
        >>> from earlywarning.baseline import fitted_and_applied
        >>> x = np.arange(12.0).reshape(-1, 1)
        >>> p = fitted_and_applied(x, x[:, 0] >= 6, np.array([[0.0], [11.0]]))
        >>> bool(p[1] > 0.5 > p[0])
        True
    """
    model = _model(_sklearn())
    with _one_blas_thread():
        model.fit(inputs, outcome)
        proba = model.predict_proba(applied_to)
    return np.asarray(proba, dtype=float)[:, 1]
