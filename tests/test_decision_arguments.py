"""The decision calls refuse and read their arguments as the single calls do (issue 19, item 4).

On main ``what_if_frame`` carried a change to an unknown column unread, so every row scored as
if it had not been asked for, where ``what_if`` refuses it; and ``smallest_change(fixed=
"agency_rate_pct")`` read the text as the set of its letters and refused ``'_'``.
"""

from __future__ import annotations

import pandas as pd
import pytest

import earlywarning as ew

PROFILE = {"council": "A", "year": 2020, "agency_rate_pct": 30, "vacancy_rate_pct": 30}
SAID = "agency_rate: 9 is not a profile field (did you mean 'agency_rate_pct'?)"


@pytest.mark.parametrize(
    "alternatives",
    [[{"agency_rate_pct": 10}, {"agency_rate": 9}], pd.DataFrame({"agency_rate": [9, 10]})],
)
def test_what_if_frame_refuses_an_unknown_column_as_what_if_does(alternatives):
    with pytest.raises(ew.ProfileError) as single:
        ew.what_if(PROFILE, {"agency_rate": 9})
    with pytest.raises(ew.ProfileError) as frame:
        ew.what_if_frame(PROFILE, alternatives)
    assert str(frame.value) == str(single.value) == SAID


def test_smallest_change_reads_one_fixed_name_given_as_text_as_that_name():
    as_text = ew.smallest_change(PROFILE, fixed="vacancy_rate_pct")
    as_list = ew.smallest_change(PROFILE, fixed=["vacancy_rate_pct"])
    assert as_text == as_list
    assert as_text.reachable and "vacancy_rate_pct" not in as_text.changes
