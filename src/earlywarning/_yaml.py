"""Safe YAML reading for every YAML file the library reads: one parse, node locations, problems.

Shared by the ruleset loader (``earlywarning.rules``), the case loader (``earlywarning.cases``)
and the document reader of :mod:`earlywarning.io.documents` (profiles, and any other YAML a user
gives), so that all read files the same way and point at problems the same way: file, YAML path
and line. Numbers are read as written, by YAML 1.2's core schema: ``017`` is seventeen (not
YAML 1.1's octal fifteen), ``1:30`` is text (not ninety), ``1e3`` is a thousand and ``1_000`` is
text; ``yes`` and ``no`` still read as true and false, as the profile and rule files use them.

The text is parsed by libyaml's C parser where PyYAML has it (its wheels do), several times
faster than PyYAML's pure-Python one, which stays the reference: composing, the refusals and
the numbers are the same Python code over either parser's events, and a text libyaml fails on,
or might read otherwise (see ``_read_fast``), is read by the reference, so every problem is
worded and placed as PyYAML words and places it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from earlywarning._names import EXCERPT_LENGTH, excerpt
from earlywarning.errors import RuleProblem

__all__ = [
    "MAX_NESTING",
    "dump",
    "format_path",
    "line_of",
    "parse_yaml",
    "problem",
    "read_yaml",
]


MAX_NESTING = 20
"""The deepest nesting of mappings and lists a rule or case file may use (they need about 6)."""

_LISTED = 10  # refusals of one kind listed per file before the rest are counted

_NULL = "tag:yaml.org,2002:null"


class _Refusal(NamedTuple):
    message: str
    node: yaml.Node  # where it is: the anchored node, or the stand-in for an alias


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _TIMESTAMP = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"
# YAML 1.2's core schema: decimal (leading zeros and all), 0o octal and 0x hex integers; floats
# with a point or an exponent, and the infinities and NaN spelled as YAML spells them.
_CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _Loading(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """A safe loader without its parser: the composer, constructor and resolver both parsers
    below share, so that the two loaders differ in nothing but where the events come from.

    The composer takes no anchors, aliases or deep nesting. An alias is never followed (a
    stand-in takes its place), so an alias bomb costs no more than its text; the file is refused.
    Nesting is bounded before the composer recurses, so a pile of brackets ends in a refusal
    rather than a ``RecursionError``.
    """

    if TYPE_CHECKING:  # the parser's, which comes with the events: declared for the checker only

        def check_event(self, *choices: type[yaml.Event]) -> bool: ...
        def peek_event(self) -> Any: ...  # an event, its marks PyYAML's or libyaml's
        def get_event(self) -> Any: ...
        def dispose(self) -> None: ...

    def _start(self, kind: str) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.refusals: list[_Refusal] = []
        self.depth = 0
        self.too_deep: yaml.Mark | None = None
        self.kind = kind

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            stand_in = yaml.ScalarNode(_NULL, "", event.start_mark, event.end_mark)
            self.refusals.append(_Refusal(f"YAML alias *{event.anchor[:30]}", stand_in))
            return stand_in
        event = self.peek_event()
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                self.too_deep = event.start_mark
                too_deep = _too_deep(self.kind)
                raise yaml.composer.ComposerError(None, None, too_deep, event.start_mark)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None and node is not None:
            self.refusals.append(_Refusal(f"YAML anchor &{anchor[:30]}", node))
        return node


def _core_int(loader: _Loading, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]  # a scalar node here
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    try:
        return int(text, 10)
    except ValueError:  # an explicit !!int on text that is not one
        raise yaml.constructor.ConstructorError(
            None, None, f"{excerpt(text)} is not an integer", node.start_mark
        ) from None


def _core_float(loader: _Loading, node: yaml.Node) -> float:
    text = str(loader.construct_scalar(node)).lower()  # type: ignore[arg-type]  # a scalar
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    if not (_CORE_FLOAT.match(text) or _CORE_INT.match(text)) or "_" in text:
        raise yaml.constructor.ConstructorError(
            None, None, f"{excerpt(text)} is not a number", node.start_mark
        )
    return float(special.get(text, text))


def _explicit_bool(loader: _Loading, node: yaml.Node) -> bool:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]  # a scalar node here
    if text.lower() not in loader.bool_values:  # an explicit !!bool on text that is not one
        raise yaml.constructor.ConstructorError(
            None, None, f"{excerpt(text)} is not true or false", node.start_mark
        )
    return bool(loader.bool_values[text.lower()])


def _explicit_timestamp(loader: _Loading, node: yaml.Node) -> Any:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]  # a scalar node here
    if not loader.timestamp_regexp.match(text):  # an explicit !!timestamp on text that is not one
        raise yaml.constructor.ConstructorError(
            None, None, f"{excerpt(text)} is not a date", node.start_mark
        )
    return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]  # a scalar node


_Loading.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Loading.add_implicit_resolver(_INT, _CORE_INT, list("-+0123456789"))
_Loading.add_implicit_resolver(_FLOAT, _CORE_FLOAT, list("-+0123456789."))
# the stubs allow only PyYAML's own loaders here
_Loading.add_constructor(_INT, _core_int)  # type: ignore[type-var]
_Loading.add_constructor(_FLOAT, _core_float)  # type: ignore[type-var]
# PyYAML's own fail with a KeyError or an AttributeError on text that is no boolean or date
_Loading.add_constructor(_BOOL, _explicit_bool)  # type: ignore[type-var]
_Loading.add_constructor(_TIMESTAMP, _explicit_timestamp)  # type: ignore[type-var]


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Loading):
    """PyYAML's pure-Python reader, scanner and parser under the shared loading: the reference
    reading, and the one whose words every problem is given in."""

    def __init__(self, text: str, kind: str = "rule and case files") -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        self._start(kind)


class _LeftToReference(yaml.MarkedYAMLError):
    """A text the fast loader leaves to the reference, since the two might read it apart."""


_FastLoader: Callable[[str, str], _Loading] | None = None
if yaml.__with_libyaml__:  # in PyYAML's wheels; a build from source may lack it
    import yaml._yaml

    class _CLoader(_Loading, yaml._yaml.CParser):
        """The shared loading on libyaml's C scanner and parser, several times faster.

        Only the events come from C: ``_Loading`` comes before ``CParser`` in the method order,
        so the composer (``get_single_node``, ``compose_node`` ...) is the Python one above.
        """

        def __init__(self, text: str, kind: str = "rule and case files") -> None:
            yaml._yaml.CParser.__init__(self, text)
            self._start(kind)

        def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
            event = self.peek_event()
            if not event.value and not event.style:
                # an empty value (``a:``, ``{a: }``): where the text holds nothing, libyaml's
                # parser sometimes places it at the next token and PyYAML after the last one,
                # a line apart; and it reads ``!`` on nothing as text, PyYAML as null
                raise _LeftToReference(None, None, "an empty value", event.start_mark)
            return super().compose_scalar_node(anchor)

    _FastLoader = _CLoader


def _too_deep(kind: str) -> str:
    return f"nested more than {MAX_NESTING} levels deep, far deeper than {kind} need"


def _no_aliases(kind: str) -> str:
    return f": {kind} may not use anchors or aliases; write each value out in full"


def read_yaml(
    file: Path, problems: list[RuleProblem]
) -> tuple[dict[str, Any] | None, yaml.Node | None]:
    """A YAML mapping and its node tree (for line numbers), or problems added and (None, None).

    The text is parsed once: the node tree is composed, and the data built from that tree by
    PyYAML's safe constructor, so no tag can run code. Refused, each with its line: anchors and
    aliases and nesting beyond :data:`MAX_NESTING` (the file is not read further), and a key
    written twice in one mapping (the first is kept, so the rest of the file is still checked).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "a.yaml"
        ...     _ = path.write_text("id: x\\nbands: [1, 2]\\nid: y\\n", encoding="utf-8")
        ...     found: list[RuleProblem] = []
        ...     doc, node = read_yaml(path, found)
        >>> doc, line_of(node, ["bands"])
        ({'id': 'x', 'bands': [1, 2]}, 2)
        >>> found[0].line, found[0].message.split(";")[0]
        (3, "key 'id' is written twice in one mapping (first on line 1)")
    """
    if not file.is_file():
        problems.append(RuleProblem(str(file), "", "file not found"))
        return None, None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RuleProblem(str(file), "", f"cannot be read as UTF-8 text: {exc}"))
        return None, None
    return parse_yaml(text, str(file), problems)


def parse_yaml(
    text: str,
    file: str,
    problems: list[RuleProblem],
    *,
    kind: str = "rule and case files",
    mapping: bool = True,
) -> tuple[Any, yaml.Node | None]:
    """YAML text read as :func:`read_yaml` reads a file: the data and its node tree, or
    problems added (``kind`` names the files in them) and ``(None, None)``.

    With ``mapping`` False, any document is returned (a list, a number), and an empty one is
    ``(None, None)`` with no problem: the caller says what an empty file means to it.

    Example:
        >>> found: list[RuleProblem] = []
        >>> parse_yaml("- code: 017\\n  time: 1:30\\n", "p.yaml", found, mapping=False)[0]
        [{'code': 17, 'time': '1:30'}]
        >>> parse_yaml("a: &x 1\\nb: *x\\n", "p.yaml", found, kind="profile files")[0]
        >>> print(found[0])  # doctest: +ELLIPSIS
        p.yaml:1 at a: YAML anchor &x refused: profile files may not use anchors or aliases; ...
    """
    if _FastLoader is not None:
        fast = _read_fast(_FastLoader, text, file, kind, mapping)
        if fast is not None:
            doc, node, found = fast
            problems += found
            return doc, node
    return _read_reference(text, file, problems, kind, mapping)


# Characters around which libyaml reads some texts that PyYAML refuses or reads otherwise, so a
# text holding one is left to the reference: a tab (libyaml takes it as a space in more places),
# "?" (libyaml lets it into a plain scalar in a flow collection) and a byte-order mark (libyaml
# skips one at the start of any line, PyYAML only at the start of the text, and counts it).
_READ_APART = ("\t", "?", "\ufeff")
# a block scalar's header with a comment straight after it: libyaml reads it, PyYAML refuses it
_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _read_fast(
    loader_class: Callable[[str, str], _Loading], text: str, file: str, kind: str, mapping: bool
) -> tuple[Any, yaml.Node | None, list[RuleProblem]] | None:
    """The text read on libyaml's parser, or None when it is left to :func:`_read_reference`.

    The two parsers give the same events for a text both read cleanly, but not the same words
    for a text that is not YAML (libyaml's marks carry no snippet, and its reader refuses a
    control character as it meets it, not before parsing starts). So a text the fast reading
    fails on in any way is read again from the start by the reference, and its problems are
    given as the reference gives them; a failure costs a second parse, which is cheap.
    """
    if any(c in text for c in _READ_APART) or _HEADER_COMMENT.search(text):
        return None
    found: list[RuleProblem] = []
    try:
        loader = loader_class(text, kind)
    except ValueError:  # text UTF-8 cannot encode (a lone surrogate): the reference refuses it
        return None
    try:
        doc, node = _compose_and_construct(loader, file, found, mapping)
    except (yaml.YAMLError, ValueError, OverflowError):
        return None
    finally:
        loader.dispose()
    return doc, node, found


def _read_reference(
    text: str, file: str, problems: list[RuleProblem], kind: str, mapping: bool
) -> tuple[Any, yaml.Node | None]:
    """The text read on PyYAML's pure-Python parser: the reading :func:`parse_yaml` promises."""
    try:
        loader = _Loader(text, kind)
    except yaml.reader.ReaderError as exc:
        # the reader refuses control characters (a NUL byte, say) before any parsing starts
        at = text.count("\n", 0, exc.position) + 1
        problems.append(RuleProblem(file, "", f"not valid YAML: {_shorten(exc)}", at))
        return None, None
    try:
        return _compose_and_construct(loader, file, problems, mapping)
    except yaml.YAMLError as exc:
        if loader.too_deep is not None:  # the tree was never finished, so no path
            problems.append(RuleProblem(file, "", _too_deep(kind), loader.too_deep.line + 1))
        else:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problems.append(RuleProblem(file, "", f"not valid YAML: {_shorten(exc)}", line))
        return None, None
    except (ValueError, OverflowError) as exc:
        # a value of the right shape that is no value: a date such as 2023-02-30
        problems.append(RuleProblem(file, "", f"not valid YAML: {excerpt(str(exc))}"))
        return None, None
    except RecursionError:  # pragma: no cover - the nesting bound stops the composer first
        problems.append(RuleProblem(file, "", "nested too deeply to read"))
        return None, None
    finally:
        loader.dispose()


def _compose_and_construct(
    loader: _Loading, file: str, problems: list[RuleProblem], mapping: bool
) -> tuple[Any, yaml.Node | None]:
    node = loader.get_single_node()
    if node is None:
        if mapping:
            problems.append(RuleProblem(file, "", "must be a mapping of keys to values", 1))
        return None, None
    if loader.refusals:
        wanted = {id(r.node) for r in loader.refusals}
        paths = {id(n): path for n, path in _nodes(node) if id(n) in wanted}
        problems += _refused(file, loader.refusals, paths, loader.kind)
        return None, None
    problems += _drop_repeats(loader, file, node)
    try:
        doc = loader.construct_document(node)
    except (ValueError, OverflowError):
        # a scalar that resolves to a type it cannot be (2016-02-30 is a timestamp by its shape)
        problems += _unconstructible(loader, file, node)
        return None, None
    if mapping and not isinstance(doc, dict):
        problems.append(RuleProblem(file, "", "must be a mapping of keys to values", 1))
        return None, None
    return doc, node


def _unconstructible(loader: _Loading, file: str, root: yaml.Node) -> list[RuleProblem]:
    """Every scalar PyYAML's safe constructor refuses, as problems with their lines."""
    # the failed construction left its half-built objects behind: start afresh, one scalar a time
    loader.constructed_objects, loader.recursive_objects, loader.state_generators = {}, {}, []
    found = []
    for node, path in sorted(_nodes(root), key=lambda pair: pair[0].start_mark.index):
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except (ValueError, OverflowError) as exc:
                message = f"{excerpt(node.value)} cannot be read as written: {exc}"
                line = node.start_mark.line + 1
                found.append(RuleProblem(file, format_path(path), message, line))
    return found or [RuleProblem(file, "", "cannot be read as written")]


def _refused(
    file: str, refusals: list[_Refusal], paths: dict[int, tuple[str | int, ...]], kind: str
) -> list[RuleProblem]:
    """The refusals in line order, the first with the reason, at most a few of them listed."""
    refusals = sorted(refusals, key=lambda r: r.node.start_mark.index)
    out = [
        RuleProblem(
            file,
            format_path(paths.get(id(r.node), ())),
            f"{r.message} refused" + (_no_aliases(kind) if i == 0 else ""),
            r.node.start_mark.line + 1,
        )
        for i, r in enumerate(refusals[:_LISTED])
    ]
    if len(refusals) > _LISTED:
        more = f"and {len(refusals) - _LISTED} more anchors or aliases, all refused"
        out.append(RuleProblem(file, "", more, refusals[_LISTED].node.start_mark.line + 1))
    return out


def _shorten(exc: yaml.YAMLError) -> str:
    """PyYAML's message, each line cut short, so no long token is echoed whole."""
    limit = 2 * EXCERPT_LENGTH
    lines = str(exc).splitlines()
    return "\n".join(ln if len(ln) <= limit else ln[:limit] + "..." for ln in lines)


def _nodes(root: yaml.Node) -> Iterator[tuple[yaml.Node, tuple[str | int, ...]]]:
    """Every node of a tree with its YAML path, parents first.

    A loop rather than recursion: the nesting is bounded, but one list may be very long. A
    consumer may prune a mapping's pairs when it is yielded; its children are taken after.
    """
    todo: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        yield node, path
        if isinstance(node, yaml.SequenceNode):
            todo.extend((child, (*path, i)) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            todo.extend((value, (*path, str(key.value))) for key, value in node.value)


def _drop_repeats(loader: _Loading, file: str, root: yaml.Node) -> list[RuleProblem]:
    """Every key written twice in one mapping, as problems; the later pairs leave the tree.

    Keys are compared as the values they load as (``yes`` and ``true`` are the same key), and
    the pairs after the first are removed, so they cannot silently replace the first.
    """
    found: list[RuleProblem] = []
    for node, path in _nodes(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[Any, int] = {}
        kept = []
        for key, value in node.value:
            name = (
                loader.construct_object(key, deep=True)
                if isinstance(key, yaml.ScalarNode)
                else id(key)
            )
            line = key.start_mark.line + 1
            if name in first:
                message = (
                    f"key {excerpt(key.value)} is written twice in one mapping (first on line "
                    f"{first[name]}); the second would silently replace the first"
                )
                found.append(RuleProblem(file, format_path((*path, str(key.value))), message, line))
                continue
            first[name] = line
            kept.append((key, value))
        node.value = kept
    return sorted(found, key=lambda p: p.line or 0)


def line_of(node: yaml.Node | None, path: Iterable[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``path``, or of its nearest ancestor.

    Example:
        >>> tree = yaml.compose("a:\\n  - 1\\n  - {b: 2}\\n", Loader=yaml.SafeLoader)
        >>> line_of(tree, ["a", 1, "b"]), line_of(tree, ["a", 7]), line_of(None, ["a"])
        (3, 1, None)
    """
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def format_path(path: Iterable[str | int]) -> str:
    """A YAML path as written in problems: ``indicators[0].levels[2]``.

    Example:
        >>> format_path(["indicators", 0, "levels", 2])
        'indicators[0].levels[2]'
    """
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def problem(
    file: Path | str, node: yaml.Node | None, path: Sequence[str | int], message: str
) -> RuleProblem:
    """A :class:`~earlywarning.errors.RuleProblem` at ``path`` in ``file``, with its line.

    Example:
        >>> tree = yaml.compose("id: x\\nversion: 1\\n", Loader=yaml.SafeLoader)
        >>> print(problem("r.yaml", tree, ["version"], "must be text"))
        r.yaml:2 at version: must be text
    """
    return RuleProblem(str(file), format_path(path), message, line_of(node, path))


# Line breaks other than "\n": in a plain or single-quoted scalar YAML folds them into spaces, so
# text holding one is written double-quoted, where it is escaped and reads back unchanged.
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029", "\r")


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text that either schema would read as something else:
    YAML 1.1's (``1_000``, ``yes``), which other readers use, and the core schema's numbers
    (``1e3``, ``0o17``), which the loader here uses."""

    def choose_scalar_style(self) -> Any:
        value = getattr(self.event, "value", None)
        if isinstance(value, str) and any(b in value for b in _OTHER_BREAKS):
            return '"'
        return super().choose_scalar_style()


_Dumper.add_implicit_resolver(_INT, _CORE_INT, list("-+0123456789"))
_Dumper.add_implicit_resolver(_FLOAT, _CORE_FLOAT, list("-+0123456789."))


def dump(data: Any, **options: Any) -> str:
    """``data`` as YAML text that the rule loader reads back to the same data.

    ``options`` are PyYAML's layout options (``sort_keys``, ``default_flow_style``, ``width`` ...).

    Example:
        >>> text = dump({"rationale": "one\x85two"})
        >>> yaml.safe_load(text) == {"rationale": "one\x85two"}
        True
    """
    layout = {"sort_keys": False, "allow_unicode": True, "width": 100} | options
    text: str = yaml.dump(data, None, Dumper=_Dumper, **layout)
    return text
