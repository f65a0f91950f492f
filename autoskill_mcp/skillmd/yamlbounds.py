"""Bounds on YAML written by users: size, nesting depth, key count and alias expansion.

PyYAML has none of its own. Its composer and constructor recurse once per nesting level (a few
KB of ``[`` or ``- `` is a RecursionError after seconds of scanning), aliases multiply what a
small text builds (a 1 KB "billion laughs" is 10^9 values), and every key costs the rules a
did-you-mean and a fix. So the token stream is checked first, in one pass that stops at the
first level or key over the bound (cheap even for a text that is nothing but ``[``), and the
node graph is measured with aliases expanded before anything is constructed. Every SKILL.md
frontmatter, managed block and stored extension value, and every YAML file a transcript reader
opens, goes through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml import nodes as ynodes
from yaml import tokens as ytokens

#: Real frontmatter is a few hundred bytes; pure-Python PyYAML needs ~1 s per 100 KB.
MAX_YAML_CHARS = 256 * 1024
#: Collections inside collections: SKILL.md frontmatter uses two or three levels.
MAX_DEPTH = 64
#: Mapping keys in one document, nested ones included: a frontmatter has a few dozen. Each unknown
#: key costs the rules a did-you-mean and a fix, and fix-all revalidates per round: at this bound
#: the worst frontmatter validates in ~0.1 s and fixes in ~1 s.
MAX_KEYS = 256
#: Values a document may build once aliases are expanded.
MAX_EXPANDED_NODES = 100_000

_OPEN = (ytokens.FlowSequenceStartToken, ytokens.FlowMappingStartToken,
         ytokens.BlockSequenceStartToken, ytokens.BlockMappingStartToken)
_CLOSE = (ytokens.FlowSequenceEndToken, ytokens.FlowMappingEndToken, ytokens.BlockEndToken)
_FEATURES = {ytokens.AnchorToken: "anchor", ytokens.AliasToken: "alias", ytokens.TagToken: "tag"}


class YamlLimitError(yaml.YAMLError):
    """A YAML text over one of the bounds; ``offset`` is where in the text it went over."""

    def __init__(self, message: str, offset: int = 0, problem: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.problem = problem or message


@dataclass(frozen=True)
class Feature:
    """An anchor, alias or tag token and its offsets in the text (strictyaml rejects them)."""

    kind: str
    start: int
    end: int


def loader_for(text: str) -> type[yaml.SafeLoader]:
    """libyaml's loader (~10x faster) where it behaves exactly like PyYAML's own:
    ASCII text (its marks count bytes) without tabs (libyaml accepts some that
    PyYAML and strictyaml reject)."""
    if _C_LOADER is not None and text.isascii() and "\t" not in text:
        return _C_LOADER
    return yaml.SafeLoader


_C_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def check_size(text: str, what: str = "YAML text") -> None:
    """YamlLimitError when ``text`` is over MAX_YAML_CHARS."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlLimitError(f"{what} is {len(text)} characters; only {MAX_YAML_CHARS} are parsed", 0,
                             f"{what} too large")


def scan(text: str, what: str = "YAML text") -> list[Feature]:
    """The anchors, aliases and tags of ``text``; YamlLimitError at the first level or key over the bounds.

    A text the scanner rejects returns what was found before the error: composing it
    reports the error with its position.
    """
    loader = loader_for(text)
    if _C_LOADER is not None and loader is not _C_LOADER:
        # PyYAML's own scanner keeps a possible simple key per open flow level and rechecks them
        # all at each character: seconds for a few KB of "[". libyaml finds the bound first.
        _scan(text, _C_LOADER, what)
    return _scan(text, loader, what)


def _scan(text: str, loader: type[yaml.SafeLoader], what: str) -> list[Feature]:
    found: list[Feature] = []
    depth = keys = 0
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlLimitError(
                        f"{what} nests deeper than {MAX_DEPTH} levels", token.start_mark.index, "nesting too deep")
            elif isinstance(token, _CLOSE):
                depth -= 1
            elif isinstance(token, ytokens.KeyToken):
                keys += 1
                if keys > MAX_KEYS:
                    raise YamlLimitError(
                        f"{what} has more than {MAX_KEYS} keys", token.start_mark.index, "too many keys")
            else:
                kind = _FEATURES.get(type(token))
                if kind:
                    found.append(Feature(kind, token.start_mark.index, token.end_mark.index))
    except YamlLimitError:
        raise
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            # libyaml's own bound (1000 flow levels), met while it looks ahead for a simple key.
            raise YamlLimitError(f"{what} nests deeper than {MAX_DEPTH} levels", exc.problem_mark.index,
                                 "nesting too deep") from None
    except Exception:  # the composer reports scanner and reader errors with their position
        pass
    return found


def check_expansion(root: ynodes.Node, what: str = "YAML text") -> None:
    """YamlLimitError when the node graph builds more than MAX_EXPANDED_NODES values with aliases expanded."""
    if expanded_size(root) > MAX_EXPANDED_NODES:
        raise YamlLimitError(f"{what} expands to more than {MAX_EXPANDED_NODES} values through aliases",
                             root.start_mark.index, "too many aliases")


def expanded_size(root: ynodes.Node) -> int:
    """Node count with aliases expanded, memoised per node so it costs one pass (stops past the bound)."""
    memo: dict[int, int] = {}

    def size(node: ynodes.Node, depth: int) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = 1  # breaks cycles (recursive aliases)
        total = 1
        if depth <= MAX_DEPTH:
            children: list[ynodes.Node] = []
            if isinstance(node, ynodes.MappingNode):
                children = [n for pair in node.value for n in pair]
            elif isinstance(node, ynodes.SequenceNode):
                children = list(node.value)
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    break
        memo[key] = total
        return total

    return size(root, 0)


def compose(text: str, what: str = "YAML text") -> tuple[yaml.SafeLoader, ynodes.Node | None, list[Feature]]:
    """(loader, root node, features) of a text within the bounds; the caller disposes of the loader.

    Raises YamlLimitError over a bound and the loader's YAMLError (or ReaderError) for bad YAML.
    """
    check_size(text, what)
    features = scan(text, what)
    loader = loader_for(text)(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            check_expansion(root, what)
    except BaseException:
        dispose(loader)
        raise
    return loader, root, features


def dispose(loader: yaml.SafeLoader) -> None:
    try:
        loader.dispose()
    except Exception:
        pass


def safe_load(text: str, what: str = "YAML text") -> Any:
    """``yaml.safe_load`` within the bounds; every failure is a ``yaml.YAMLError``.

    That includes values the safe constructor cannot build (``!!timestamp x`` is an
    AttributeError inside PyYAML, an unhashable key a TypeError).
    """
    loader, root, _ = compose(text, what)
    try:
        if root is None:
            return None
        return loader.construct_document(root)
    except yaml.YAMLError:
        raise
    except Exception as exc:
        raise yaml.YAMLError(f"{what}: a value YAML cannot build ({type(exc).__name__}: {exc})") from None
    finally:
        dispose(loader)
