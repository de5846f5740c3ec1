"""Building blocks of the HTML that notebooks show for a result (its ``_repr_html_``).

Shared machinery with no knowledge of councils: each result's own module lays its figures out
with these (``assessment_html`` in :mod:`earlywarning.explain`, and so on), so the rendering
stays apart from the computing and every result looks alike.

Two rules hold for everything built here:

* **Every text is escaped.** A cell is plain text unless it is :class:`Html`, which only these
  builders make; a council named ``<script>`` shows as that text.
* **Nothing leaks into the notebook.** Styles are inline attributes, never a ``<style>``
  element (which would apply to the whole notebook page), and a whole page is shown inside an
  ``<iframe srcdoc>``, where its stylesheet applies to it alone.

Example:
    >>> from earlywarning._display import card, cells, esc
    >>> esc("Bath & <NE Somerset>")
    'Bath &amp; &lt;NE Somerset&gt;'
    >>> html = card("A <council>", cells(["score", "band"], [[12, "low"]]))
    >>> "A &lt;council&gt;" in html and "<style" not in html
    True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from earlywarning.vocabulary import BAND_COLOURS

__all__ = [
    "Html",
    "band_badge",
    "card",
    "cells",
    "esc",
    "figures",
    "framed_page",
    "join",
    "note",
    "number",
    "signed",
]

# The fonts and colours of every card: the notebook's own font, dark text on the band colours
_CARD = (
    "font-family:inherit;font-size:13px;line-height:1.45;max-width:60em;"
    "border:1px solid #c8c8c8;border-radius:4px;padding:8px 12px;margin:4px 0;"
    "color:#1a1a1a;background:#ffffff"
)
_TABLE = "border-collapse:collapse;margin:6px 0;font-size:12px"
_CELL = "border-bottom:1px solid #e4e4e4;padding:2px 8px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";font-weight:600;border-bottom:1px solid #999999"


class Html(str):
    """Text that is already HTML, made by the builders here: :func:`esc` leaves it as it is.

    Example:
        >>> esc(Html("<b>yes</b>")), esc("<b>yes</b>")
        ('<b>yes</b>', '&lt;b&gt;yes&lt;/b&gt;')
    """

    __slots__ = ()


def esc(value: Any) -> Html:
    """``value`` as HTML text: escaped (quotes too, so it is safe in an attribute), unless it
    is already :class:`Html`.

    Example:
        >>> esc('Saint "Helens"'), esc(None), esc(3.5)
        ('Saint &quot;Helens&quot;', 'None', '3.5')
    """
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=True))


def join(parts: Iterable[Any], separator: str = "") -> Html:
    """Parts joined into HTML, each escaped unless it is :class:`Html` (the separator too).

    Example:
        >>> join(["a<b", Html("<br>"), "c"])
        'a&lt;b<br>c'
    """
    return Html(esc(separator).join(esc(p) for p in parts))


def number(value: float | None, digits: int = 0, suffix: str = "") -> str:
    """A figure to ``digits`` decimals, or "no figure" for None or NaN.

    Example:
        >>> number(31.25, 1, "%"), number(float("nan")), number(None)
        ('31.2%', 'no figure', 'no figure')
    """
    if value is None or value != value:
        return "no figure"
    return f"{value:.{digits}f}{suffix}"


def signed(points: float) -> str:
    """Points with their sign, as the explanations write them (a typographic minus).

    Example:
        >>> signed(10.0), signed(-4.5), signed(0.0)
        ('+10', '−4.5', '0')
    """
    if not points:
        return "0"
    return f"+{points:g}" if points > 0 else f"−{abs(points):g}"


def band_badge(band: str | None) -> Html:
    """A band as a word on its colour (the word is always written: colour is never the only
    sign of a band).

    Example:
        >>> band_badge("high")  # doctest: +ELLIPSIS
        '<span style="background:#ffd6a5;...">high</span>'
        >>> band_badge(None)
        '<span>no band</span>'
    """
    if not band or band not in BAND_COLOURS:
        return Html(f"<span>{esc(band or 'no band')}</span>")
    style = (
        f"background:{BAND_COLOURS[band]};color:#1a1a1a;border:1px solid #888888;"
        "border-radius:3px;padding:0 6px;font-weight:600"
    )
    return Html(f'<span style="{style}">{esc(band)}</span>')


def figures(pairs: Sequence[tuple[str, Any]]) -> Html:
    """Headline figures side by side: each a small label over its value.

    Example:
        >>> "score" in figures([("score", 12), ("band", band_badge("low"))])
        True
    """
    boxes = [
        '<div style="display:inline-block;margin:0 18px 4px 0;vertical-align:top">'
        f'<div style="font-size:11px;color:#555555">{esc(label)}</div>'
        f'<div style="font-size:16px">{esc(value)}</div></div>'
        for label, value in pairs
    ]
    return Html(f"<div>{''.join(boxes)}</div>")


def cells(header: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> Html:
    """A table: a header row, then one row per item, every cell escaped unless :class:`Html`.

    Example:
        >>> cells(["a"], [["<1>"]]).count("&lt;1&gt;")
        1
    """
    head = "".join(f'<th style="{_HEAD}">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{esc(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    title = f'<caption style="text-align:left;font-weight:600">{esc(caption)}</caption>'
    return Html(
        f'<table style="{_TABLE}">{title if caption else ""}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def note(text: Any) -> Html:
    """A line of smaller, quieter text: how a figure was computed, what is missing.

    Example:
        >>> note("Ruleset <x>")
        '<p style="margin:4px 0;font-size:11px;color:#555555">Ruleset &lt;x&gt;</p>'
    """
    return Html(f'<p style="margin:4px 0;font-size:11px;color:#555555">{esc(text)}</p>')


def card(title: str, *parts: Any, kind: str = "result") -> Html:
    """One result as a bordered box: a heading, then its parts (text is escaped).

    ``kind`` names the result in a ``data-earlywarning`` attribute, for a reader's own styles
    or tests.

    Example:
        >>> card("Derby (2020)", "text").startswith('<div data-earlywarning="result"')
        True
    """
    heading = f'<div style="font-size:15px;font-weight:600;margin-bottom:4px">{esc(title)}</div>'
    body = "".join(esc(p) for p in parts)
    return Html(f'<div data-earlywarning="{esc(kind)}" style="{_CARD}">{heading}{body}</div>')


def framed_page(document: str, title: str, *, height: int = 720) -> Html:
    """A whole HTML page shown inside an ``<iframe srcdoc>``: its stylesheet applies to it
    alone, never to the notebook around it.

    The frame is sandboxed (no scripts, no forms, no navigation of the notebook); the page gets
    a ``<base href="about:srcdoc">`` so that its links to its own sections stay in it; and it
    is written into the attribute escaped, with its line breaks as ``&#10;``, so that the frame
    is one line of markup that a Markdown page can hold too.

    Example:
        >>> frame = framed_page("<html><style>p {color: red}</style><p>Hi</p></html>", "Hi")
        >>> frame.startswith("<iframe") and "<style" not in frame and "&lt;style&gt;" in frame
        True
        >>> "&lt;base href=&quot;about:srcdoc&quot;&gt;" in frame
        True
    """
    # A page in srcdoc resolves its links against the notebook's address, so its own
    # "#section" links would load the notebook into the frame: a base of about:srcdoc keeps
    # them within the page.
    at = document.find("<head>")
    at = at + len("<head>") if at >= 0 else 0
    document = document[:at] + '<base href="about:srcdoc">' + document[at:]
    source = esc(document).replace("\n", "&#10;").replace("\r", "&#13;")
    return Html(
        f'<iframe title="{esc(title)}" sandbox="" srcdoc="{source}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #c8c8c8;border-radius:4px">'
        "</iframe>"
    )
