"""The keyword tokenizer shared by BM25 and the hashing embedder.

Skills and the requests that should find them mix prose, code identifiers
(`snake_case`, `camelCase`, `src/io.py`, `--dry-run`) and, for many of our users,
Chinese. One token stream serves all three:

* identifiers are split into their parts, and the joined parts are emitted too,
  so `dry_run`, `dryRun`, `dry-run` and `dryrun` all meet on `dryrun`;
* Latin words are lower-cased and lightly stemmed (plurals, -ed, -ing, final e),
  so "parsing PDFs" meets "parse a pdf"; a small stop-word list drops glue words;
* Han runs give unigrams + bigrams (no dictionary needed, the usual CJK BM25
  recipe); katakana and hangul runs give the whole run + bigrams; hiragana
  (mostly particles and inflections) gives bigrams only.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["tokenize", "query_tokens", "stem", "STOP_WORDS"]

# An identifier-ish chunk: word characters joined by `_` or `-` (so `dry-run`,
# `file_io`); `/`, `.`, spaces and other punctuation end a chunk.
_CHUNK = re.compile(r"[^\W_]+(?:[_\-]+[^\W_]+)*")
_JOINERS = re.compile(r"[_\-]+")
# camelCase / PascalCase / acronym / digit boundaries (ASCII only).
_CAMEL = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_ACRONYM_PLURAL = re.compile(r"^[A-Z]{2,}s$")
_ASCII_ALNUM = re.compile(r"^[A-Za-z0-9]+$")

# Script classes for CJK handling.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HIRAGANA = r"\u3040-\u309f"
_KATAKANA = r"\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = r"\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_SCRIPT_RUN = re.compile(
    rf"(?P<han>[{_HAN}]+)|(?P<hira>[{_HIRAGANA}]+)|(?P<kata>[{_KATAKANA}]+)"
    rf"|(?P<hangul>[{_HANGUL}]+)|(?P<other>[^{_HAN}{_HIRAGANA}{_KATAKANA}{_HANGUL}]+)"
)
_HAS_CJK = re.compile(rf"[{_HAN}{_HIRAGANA}{_KATAKANA}{_HANGUL}]")

STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during
    each few for from further had has have having he her here hers him his how i
    if in into is it its itself just me more most my no nor not of off on once only
    or other our ours out over own same she should so some such than that the their
    them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours
    s t d ll m re ve etc e g eg ie via
    """.split()
)

_VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """A light English suffix stripper: plurals, -ed, -ing, final e.

    Deliberately weaker than Porter: it only has to make inflections of one word
    meet, and must never merge unrelated words that code search tells apart.
    """
    w = word
    if len(w) <= 2 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "zes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and len(w) > 3 and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 4 and _VOWELS.intersection(w[:-3]):
        w = _undouble(w[:-3])
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and not w.endswith("eed") and len(w) > 3 and _VOWELS.intersection(w[:-2]):
        w = _undouble(w[:-2])
    if w.endswith("e") and not w.endswith("ee") and len(w) >= 3:
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    # "running" -> "runn" -> "run"; keep ll/ss/zz ("installed", "passed").
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1] not in _VOWELS:
        return w[:-1]
    return w


def _chunk_tokens(chunk: str, compounds: bool) -> tuple[str, ...]:
    """Tokens of one identifier-ish chunk, with or without the joined compound forms."""
    return _chunk_forms(chunk)[compounds]


@lru_cache(maxsize=1 << 17)
def _chunk_forms(chunk: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(without compounds, with compounds) of one chunk, from one walk (cached: chunks repeat a lot)."""
    if _HAS_CJK.search(chunk):
        return _mixed_script_forms(chunk)
    parts: list[str] = []
    for piece in _JOINERS.split(chunk):
        if not piece:
            continue
        if _ASCII_ALNUM.match(piece):
            parts.extend(
                p[:-1].lower() if _ACRONYM_PLURAL.match(p) else p.lower()
                for p in _CAMEL.findall(piece)
            )
        else:
            parts.append(piece.lower())
    stems = [stem(p) for p in parts]
    plain = tuple(s for p, s in zip(parts, stems, strict=True) if p not in STOP_WORDS)
    return plain, (plain + ("".join(stems),) if len(stems) > 1 else plain)


def _mixed_script_forms(chunk: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    plain: list[str] = []
    joined: list[str] = []
    for m in _SCRIPT_RUN.finditer(chunk):
        run = m.group()
        kind = m.lastgroup
        if kind == "other":
            without, with_ = _chunk_forms(run)
            plain.extend(without)
            joined.extend(with_)
            continue
        if kind == "han":
            same = [*run, *(run[i : i + 2] for i in range(len(run) - 1))]
        elif kind == "hira":
            same = [run[i : i + 2] for i in range(len(run) - 1)]
        else:  # katakana loanwords and hangul words: the run, plus bigrams for
            # the particles/inflections glued to it.
            same = [run, *(run[i : i + 2] for i in range(len(run) - 1))] if len(run) > 2 else [run]
        plain.extend(same)
        joined.extend(same)
    return tuple(plain), tuple(joined)


#: bump whenever `tokenize` changes its output, so token lists saved by an older
#: version are recomputed instead of mixed with new ones
TOKENIZER_VERSION = 1


def tokenize(text: str, *, compounds: bool = True) -> list[str]:
    """Index/query tokens of `text` (repeats kept: BM25 needs term counts).

    `compounds=False` leaves out the joined identifier forms (used to measure
    how much of a query a document covers without counting a term twice).
    """
    out: list[str] = []
    for chunk in _CHUNK.findall(text):
        out.extend(_chunk_tokens(chunk, compounds))
    return out


def query_tokens(text: str) -> tuple[list[str], list[str]]:
    """(`tokenize(text)`, `tokenize(text, compounds=False)`) from one pass: a search needs both
    (BM25 scores with the first, the coverage norm counts the second) and tokenizes its query once."""
    tokens: list[str] = []
    plain: list[str] = []
    for chunk in _CHUNK.findall(text):
        without, with_ = _chunk_forms(chunk)
        tokens.extend(with_)
        plain.extend(without)
    return tokens, plain
