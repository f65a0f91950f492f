"""Tolerant SKILL.md parser that keeps positions for every frontmatter key and value.

Design decisions (they differ from skills-ref on purpose):

* The frontmatter is delimited by *lines* that are ``---``; trailing spaces or
  tabs on a delimiter line are tolerated (YAML treats ``---`` plus blanks as the
  same marker), ``----`` or ``--- x`` are not delimiters. A ``---`` substring
  inside a value never closes the frontmatter (skills-ref splits on it).
* A UTF-8 BOM before the opening line is tolerated and recorded (``bom``); it is
  still character 0 of line 0, so positions always index the text as given.
* YAML is read with PyYAML's SafeLoader node graph (for marks); keys are always
  strings (their scalar text, as strictyaml and the clients see them); values are
  constructed per key so one bad value does not hide the others.
* ``parse`` never raises: undecodable bytes are replaced and reported, YAML
  problems become :class:`YamlIssue` entries, and frontmatter over the bounds of
  ``yamlbounds`` (size, nesting, keys, alias expansion) is reported, not parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import nodes as ynodes

from . import yamlbounds
from .positions import LineIndex, Position, Range
from .yamlbounds import MAX_EXPANDED_NODES, YamlLimitError, loader_for  # noqa: F401 (MAX_EXPANDED_NODES: re-exported)

MAX_FRONTMATTER_CHARS = yamlbounds.MAX_YAML_CHARS
_MAX_DEPTH = 8  # levels of nested keys given positions (FieldNode.children); deeper values are plain data
_DELIMITER = "---"


@dataclass
class YamlIssue:
    """A YAML error with the place PyYAML pointed at."""

    message: str
    range: Range
    problem: str = ""


@dataclass
class YamlFeature:
    """A YAML construct strictyaml (skills-ref) rejects: flow, anchor, alias or tag."""

    kind: str
    range: Range


@dataclass
class FieldNode:
    """One key of the frontmatter (or of a nested mapping) with its value and ranges."""

    key: str
    key_range: Range
    value_range: Range
    value: Any
    kind: str  # "scalar" | "mapping" | "sequence"
    tag: str
    style: str | None  # PyYAML scalar style: None (plain), "'", '"', "|", ">"
    scalar_text: str | None  # the scalar before implicit typing ("1.10" for 1.1)
    source: str  # the exact source text of the value
    flow: bool = False
    path: tuple[str, ...] = ()
    children: dict[str, FieldNode] = field(default_factory=dict)
    construct_error: str | None = None

    @property
    def implicitly_typed(self) -> bool:
        """True for a plain scalar YAML turned into a non-string (``yes``, ``1.10``, ``2024-01-01``)."""
        return self.kind == "scalar" and self.style is None and not isinstance(self.value, str)

    @property
    def full_range(self) -> Range:
        return Range(self.key_range.start, self.value_range.end)


@dataclass
class DuplicateKey:
    """A key given twice in the same mapping; the last one wins, as in PyYAML."""

    key: str
    path: tuple[str, ...]
    first: Range
    second: Range
    first_node: FieldNode | None = None
    second_node: FieldNode | None = None


@dataclass
class ParsedSkillMd:
    """Everything the renderer, the converter, the rules and the LSP need from one file."""

    text: str
    path: str | None
    bom: bool
    encoding_error: str | None
    has_frontmatter: bool
    frontmatter_closed: bool
    open_line: int | None
    close_line: int | None
    frontmatter_text: str | None
    frontmatter_offset: int
    data: Any
    fields: dict[str, FieldNode]
    duplicates: list[DuplicateKey]
    yaml_errors: list[YamlIssue]
    yaml_features: list[YamlFeature]
    body: str
    body_start_line: int
    body_offset: int
    index: LineIndex

    @property
    def frontmatter_lines(self) -> tuple[int, int] | None:
        """(first content line, closing delimiter line): content lines are [a, b)."""
        if self.open_line is None or self.close_line is None:
            return None
        return (self.open_line + 1, self.close_line)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.data, dict)

    @property
    def file_name(self) -> str | None:
        return os.path.basename(self.path) if self.path else None

    def position(self, offset: int) -> Position:
        return self.index.position(offset)

    def field_at(self, pos: Position) -> FieldNode | None:
        """The innermost frontmatter field whose key or value contains ``pos`` (hover, completion)."""
        for node in self.fields.values():
            if node.full_range.start <= pos <= node.full_range.end:
                for child in node.children.values():
                    if child.full_range.start <= pos <= child.full_range.end:
                        return child
                return node
        return None


def parse(text: str | bytes, path: str | None = None) -> ParsedSkillMd:
    """Parse a SKILL.md text (or raw bytes) without ever raising."""
    encoding_error: str | None = None
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            encoding_error = f"not valid UTF-8 at byte {exc.start}: {exc.reason}"
            text = raw.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    return _Parser(text, path, encoding_error).run()


class _Parser:
    def __init__(self, text: str, path: str | None, encoding_error: str | None) -> None:
        self.text = text
        self.path = path
        self.encoding_error = encoding_error
        self.index = LineIndex(text)
        self.bom = text.startswith("\ufeff")
        self.fields: dict[str, FieldNode] = {}
        self.duplicates: list[DuplicateKey] = []
        self.errors: list[YamlIssue] = []
        self.features: list[YamlFeature] = []
        self.data: Any = None
        self.fm_offset = 0

    def run(self) -> ParsedSkillMd:
        index = self.index
        first = index.line_text(0)
        if self.bom:
            first = first[1:]
        body_offset = 1 if self.bom else 0
        if not _is_delimiter(first):
            return self._result(False, False, None, None, None, self.text[body_offset:], 0, body_offset)
        close = None
        for line in range(1, index.line_count):
            if _is_delimiter(index.line_text(line)):
                close = line
                break
        fm_start = index.line_starts[1] if index.line_count > 1 else len(self.text)
        self.fm_offset = fm_start
        if close is None:
            return self._result(True, False, 0, None, self.text[fm_start:], "", index.line_count, len(self.text))
        fm_text = self.text[fm_start : index.line_starts[close]]
        body_line = close + 1
        if body_line < index.line_count:
            body_offset = index.line_starts[body_line]
        else:
            body_offset = len(self.text)
        self._parse_yaml(fm_text)
        return self._result(True, True, 0, close, fm_text, self.text[body_offset:], body_line, body_offset)

    def _result(
        self,
        has_fm: bool,
        closed: bool,
        open_line: int | None,
        close_line: int | None,
        fm_text: str | None,
        body: str,
        body_line: int,
        body_offset: int,
    ) -> ParsedSkillMd:
        return ParsedSkillMd(
            text=self.text,
            path=self.path,
            bom=self.bom,
            encoding_error=self.encoding_error,
            has_frontmatter=has_fm,
            frontmatter_closed=closed,
            open_line=open_line,
            close_line=close_line,
            frontmatter_text=fm_text,
            frontmatter_offset=self.fm_offset,
            data=self.data,
            fields=self.fields,
            duplicates=self.duplicates,
            yaml_errors=self.errors,
            yaml_features=self.features,
            body=body,
            body_start_line=body_line,
            body_offset=body_offset,
            index=self.index,
        )

    # -- YAML ---------------------------------------------------------------------

    def _parse_yaml(self, fm: str) -> None:
        try:
            yamlbounds.check_size(fm, "frontmatter")
            features = yamlbounds.scan(fm, "frontmatter")
        except YamlLimitError as exc:
            self._record_limit(exc)
            return
        for f in features:
            self.features.append(
                YamlFeature(f.kind, self.index.range(self.fm_offset + f.start, self.fm_offset + f.end))
            )
        try:
            loader = loader_for(fm)(fm)
        except Exception as exc:  # ReaderError: non-printable characters such as NUL
            self._record_error(exc)
            return
        try:
            root = loader.get_single_node()
            if root is not None:
                yamlbounds.check_expansion(root, "frontmatter")
        except YamlLimitError as exc:
            yamlbounds.dispose(loader)
            self._record_limit(exc)
            return
        except Exception as exc:
            yamlbounds.dispose(loader)
            self._record_error(exc)
            return
        try:
            if root is None:
                self.data = None
            elif isinstance(root, ynodes.MappingNode):
                self.data = self._walk_mapping(loader, root, (), self.fields, 0)
            else:
                self.data = self._construct(loader, root)[0]
        finally:
            yamlbounds.dispose(loader)

    def _record_limit(self, exc: YamlLimitError) -> None:
        """A bound was hit: one issue where it was hit (to the end of that line), nothing parsed."""
        start = self.index.position(self.fm_offset + exc.offset)
        end = self.index.position(max(self.fm_offset + exc.offset, self.index.line_end(start.line)))
        if exc.problem.endswith("too large"):
            end = start
        self.errors.append(YamlIssue(exc.message, Range(start, end), exc.problem))

    def _walk_mapping(
        self,
        loader: yaml.SafeLoader,
        node: ynodes.MappingNode,
        path: tuple[str, ...],
        out: dict[str, FieldNode],
        depth: int,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if node.flow_style:
            self._add_flow(node)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ynodes.ScalarNode) else self._slice(key_node)
            children: dict[str, FieldNode] = {}
            if isinstance(value_node, ynodes.MappingNode) and depth < _MAX_DEPTH:
                # Nested keys are strings too (as strictyaml and the clients read them).
                value, error = self._walk_mapping(loader, value_node, path + (key,), children, depth + 1), None
            else:
                value, error = self._construct(loader, value_node)
            fnode = self._field(key, key_node, value_node, value, path, error)
            fnode.children = children
            if isinstance(value_node, ynodes.SequenceNode) and depth < _MAX_DEPTH:
                self._walk_sequence(loader, value_node, path + (key,), depth + 1)
            if key in out:
                prev = out[key]
                self.duplicates.append(DuplicateKey(key, path, prev.key_range, fnode.key_range, prev, fnode))
            out[key] = fnode
            data[key] = value
        return data

    def _walk_sequence(
        self, loader: yaml.SafeLoader, node: ynodes.SequenceNode, path: tuple[str, ...], depth: int
    ) -> None:
        if node.flow_style:
            self._add_flow(node)
            return
        for item in node.value:
            if isinstance(item, ynodes.MappingNode):
                self._walk_mapping(loader, item, path, {}, depth + 1)
            elif isinstance(item, ynodes.SequenceNode):
                self._walk_sequence(loader, item, path, depth + 1)

    def _add_flow(self, node: ynodes.Node) -> None:
        rng = self._node_range(node)
        if not any(f.kind == "flow" and f.range.start <= rng.start and rng.end <= f.range.end for f in self.features):
            self.features.append(YamlFeature("flow", rng))

    def _construct(self, loader: yaml.SafeLoader, node: ynodes.Node) -> tuple[Any, str | None]:
        try:
            return loader.construct_object(node, deep=True), None
        except Exception as exc:  # bad timestamps, unhashable keys, recursion...
            if isinstance(node, ynodes.ScalarNode):
                return node.value, _describe(exc)
            return None, _describe(exc)

    def _field(
        self,
        key: str,
        key_node: ynodes.Node,
        value_node: ynodes.Node,
        value: Any,
        path: tuple[str, ...],
        error: str | None,
    ) -> FieldNode:
        kind = (
            "mapping"
            if isinstance(value_node, ynodes.MappingNode)
            else "sequence" if isinstance(value_node, ynodes.SequenceNode) else "scalar"
        )
        scalar = isinstance(value_node, ynodes.ScalarNode)
        value_range = self._node_range(value_node)
        return FieldNode(
            key=key,
            key_range=self._node_range(key_node),
            value_range=value_range,
            value=value,
            kind=kind,
            tag=str(value_node.tag),
            style=(value_node.style or None) if scalar else None,  # libyaml says "" for plain
            scalar_text=value_node.value if scalar else None,
            source=self.text[self.index.offset(value_range.start) : self.index.offset(value_range.end)],
            flow=bool(getattr(value_node, "flow_style", False)),
            path=path,
            construct_error=error,
        )

    def _node_range(self, node: ynodes.Node) -> Range:
        start = self.fm_offset + node.start_mark.index
        end = self.fm_offset + node.end_mark.index
        # Block collections and scalars end at the next token; keep ranges tight.
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return self.index.range(start, end)

    def _slice(self, node: ynodes.Node) -> str:
        rng = self._node_range(node)
        return self.text[self.index.offset(rng.start) : self.index.offset(rng.end)]

    def _record_error(self, exc: BaseException) -> None:
        offset = self.fm_offset
        problem = ""
        if isinstance(exc, yaml.MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            if mark is not None:
                offset += mark.index
            problem = exc.problem or exc.context or ""
        elif isinstance(exc, yaml.reader.ReaderError):
            offset += exc.position
            problem = f"special characters are not allowed (#x{exc.character:04x})" if isinstance(
                exc.character, int
            ) else str(exc.reason)
        start = self.index.position(offset)
        line_end = self.index.line_end(start.line)
        end = self.index.position(max(offset, line_end))
        self.errors.append(YamlIssue(_describe(exc), Range(start, end), problem or _describe(exc)))


def _is_delimiter(line: str) -> bool:
    return line.rstrip(" \t") == _DELIMITER


def _describe(exc: BaseException) -> str:
    """A one-line YAML error message without PyYAML's "in <unicode string>" noise."""
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1} of the frontmatter)" if mark else ""
        return "; ".join(parts) + where if parts else str(exc)
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character
        code = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return f"unacceptable character {code}: {exc.reason}"
    if isinstance(exc, RecursionError):
        return "frontmatter nests too deeply"
    return f"{type(exc).__name__}: {exc}"
