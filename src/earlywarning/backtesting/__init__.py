"""The watch list put to the test, and what each band has meant in observed frequencies.

:func:`backtest` builds the watch list (:func:`~earlywarning.watchlist.watchlist`) as it would
have stood on 1 January of each year from 2019, from nothing dated on or after that day, and
follows every council to its next Ofsted judgement (standard or short ILACS inspection) within
three years. It compares the councils flagged as sliding with the councils that were good or
outstanding and not flagged: how often each went on to the outcome (a decline from its previous
judgement by default), and the ratio of the two rates, the *lift*.

:func:`band_frequencies` scores every council as it stood when each ILACS inspection began and
counts, per band, how often the inspection judged it below good or worse than before: in the
training period (inspections to 31 March 2022, on which the rules were chosen) and in the test
period (April 2022 to March 2025, measured and never tuned on). :func:`band_sentence` says the
test-period figures of one band in words, for the report and the watch list.

Point in time: the watch list of 1 January Y reads the workforce census of 30 September Y-1,
demand to 31 March Y-1 and the judgements dated before 1 January Y (see
:mod:`earlywarning.datasets`). The data date an ILACS judgement by the start of its inspection,
weeks before it is published: a council whose last inspection had begun but was not yet
published on 1 January is set aside that year (group ``judgement unpublished``), since its
previous rating was not known that day. The figures are as the data hold them today, revisions
included, and the census was published some months after the date it describes. The
neighbour-relative measures use DfE's April 2021 groupings (:data:`BACKTEST_NEIGHBOURS`): the
2025 model is later than every date backtested, and no model older than 2021 is in the data.

Follow-up: a council's next ILACS judgement dated from 1 January Y to 31 December Y+2 and no
later than the date the outcomes stand at (31 March 2025 in the bundled data). A council with no
judgement in a window that closed before then is counted as ``not inspected``; in a window still
open it is ``not yet known``. Both are set aside, never counted as holding their grade.

Example:
    >>> import earlywarning as ew
    >>> result = ew.backtest([2019, 2020], resamples=0)
    >>> list(result.years.index), result.outcome
    ([2019, 2020], 'declined')
"""

from earlywarning.backtesting._backtest import backtest, backtest_years
from earlywarning.backtesting._common import (
    BACKTEST_NEIGHBOURS,
    FIRST_BACKTEST_YEAR,
    FOLLOW_UP_YEARS,
    GROUPS,
    STATUSES,
)
from earlywarning.backtesting._frequencies import (
    FREQUENCY_OUTCOMES,
    BandFrequencies,
    band_frequencies,
    band_frequencies_html,
    band_frequencies_text,
    band_sentence,
)
from earlywarning.backtesting._report import (
    Backtest,
    backtest_html,
    backtest_text,
    render_backtest,
)

__all__ = [
    "BACKTEST_NEIGHBOURS",
    "FIRST_BACKTEST_YEAR",
    "FOLLOW_UP_YEARS",
    "FREQUENCY_OUTCOMES",
    "GROUPS",
    "STATUSES",
    "Backtest",
    "BandFrequencies",
    "backtest",
    "backtest_html",
    "backtest_text",
    "backtest_years",
    "band_frequencies",
    "band_frequencies_html",
    "band_frequencies_text",
    "band_sentence",
    "render_backtest",
]
