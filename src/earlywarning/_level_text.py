"""The text of one indicator's level: the reason a contribution gives, written once per level.

Private machinery behind :mod:`earlywarning.explain`, which exports :class:`LevelText` and
:func:`describe_level`.
"""

from __future__ import annotations

from dataclasses import dataclass

from earlywarning.profile import FLAG_MEASURES
from earlywarning.rules import Indicator, Level

__all__ = ["LevelText", "describe_level"]


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) >= 1 or x == 0 else f"{x:.2g}"


def describe_level(ind: Indicator, level: Level, value: float) -> str:
    """The reason text for one indicator at one level: label, value, the band of values, points.

    Example:
        >>> import earlywarning as ew
        >>> ind = ew.load_ruleset().indicator("agency_rate")
        >>> lv = ind.levels[-1]
        >>> describe_level(ind, lv, 31.0)  # doctest: +ELLIPSIS
        'Agency social workers 31%...'
    """
    return LevelText.of(ind, level).text(value)


@dataclass(frozen=True)
class LevelText:
    """The reason of one indicator's level, written once: fixed text, or text around the value.

    Example:
        >>> import earlywarning as ew
        >>> ind = ew.load_ruleset().indicator("agency_rate")
        >>> LevelText.of(ind, ind.levels[-1]).text(31.0)  # doctest: +ELLIPSIS
        'Agency social workers 31%...'
    """

    head: str
    tail: str = ""
    unit: str = ""
    shows_value: bool = False
    when_no: str | None = None  # a yes/no measure: the text for no (``head`` is for yes)

    @classmethod
    def of(cls, ind: Indicator, level: Level) -> LevelText:
        """The text of ``level`` of ``ind``."""
        unit = ind.unit
        sign = "+" if level.points >= 0 else "−"
        points = f"{sign}{abs(level.points):g}"
        if level.label:
            # a labelled level (a judgement, a count in words) reads better than its code number
            return cls(f"{ind.label}: {level.label}, {points}")
        if ind.measure in FLAG_MEASURES:
            return cls(f"{ind.label}: yes, {points}", when_no=f"{ind.label}: no, {points}")
        if level.from_ is None and level.below is not None:
            where = f"below {_num(level.below)}{unit}"
        elif level.below is None and level.from_ is not None:
            where = f"{_num(level.from_)}{unit} or more"
        elif level.from_ is not None and level.below is not None:
            where = f"{_num(level.from_)}{unit} to under {_num(level.below)}{unit}"
        else:
            where = "any value"
        return cls(f"{ind.label} ", f" ({where}), {points}", unit, shows_value=True)

    def text(self, value: float) -> str:
        """The reason for ``value`` at this level."""
        if self.shows_value:
            shown = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{self.head}{shown}{self.unit}{self.tail}"
        if self.when_no is not None and not value:
            return self.when_no
        return self.head
