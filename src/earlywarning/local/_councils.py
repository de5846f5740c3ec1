"""Which council a file or a caller means: private machinery of :mod:`earlywarning.local`.

Names are checked against the councils the bundled data know, through
:mod:`earlywarning.datasets.councils`. The import is made when a name is first checked, not
when this package is imported: the profile builder in :mod:`earlywarning.datasets` imports this
package, and a module-level import back into ``earlywarning.datasets`` would then run while
that package is only half imported.
"""

from __future__ import annotations

import datetime as dt

from earlywarning._names import did_you_mean
from earlywarning.errors import EarlyWarningError

__all__ = ["council_code", "council_name", "resolve"]

_CALLER = "local facts"


def council_code(council: str, la_code: str | None) -> tuple[str | None, str]:
    """The ONS code of the council a file names, or None and why it is refused.

    A name two councils have borne (Dorset, before and after 2019) is refused unless
    ``la_code`` says which; a code given with a name must be that council's.

    Example:
        >>> council_code("derbyshire", None), council_code("Derbyshire", "E10000007")
        (('E10000007', ''), ('E10000007', ''))
        >>> council_code("Derbyshre", None)[1]
        "is not a council in England's data (did you mean 'Derbyshire'?)"
    """
    from earlywarning.datasets.councils import council_names, resolve_councils

    try:
        codes = sorted(resolve_councils([council], _CALLER))
    except EarlyWarningError:
        hint = did_you_mean(council.strip(), council_names().values(), cutoff=0.8)
        return None, "is not a council in England's data" + (f" ({hint})" if hint else "")
    if la_code is not None:
        if la_code.strip().upper() in codes:
            return la_code.strip().upper(), ""
        return None, f"is not the code of {council!r} ({', '.join(codes)})"
    if len(codes) > 1:
        return None, f"names {len(codes)} councils ({', '.join(codes)}): give la_code to say which"
    return codes[0], ""


def resolve(council: str, day: dt.date) -> str:
    """The ONS code of a council a caller names, as on ``day`` (see ``resolve_council``).

    Raises:
        EarlyWarningError: for a council the bundled data do not know.

    Example:
        >>> resolve("Dorset", dt.date(2016, 1, 1)), resolve("Dorset", dt.date(2020, 1, 1))
        ('E10000009', 'E06000059')
    """
    from earlywarning.datasets.councils import resolve_council

    return resolve_council(council, _CALLER, day)


def council_name(code: str) -> str:
    """The council's name in the bundled data.

    Example:
        >>> council_name("E10000007")
        'Derbyshire'
    """
    from earlywarning.datasets.councils import council_names

    return council_names().get(code, code)
