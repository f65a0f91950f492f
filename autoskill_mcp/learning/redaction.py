"""Secret redaction: run on every transcript before anything is stored, logged or sent to an LLM.

Transcripts carry pasted keys, `.env` files echoed by tools, tokens in curl commands and
private keys in `cat` output. `redact()` replaces each
secret with a stable marker `[REDACTED:<kind>]`, so an extraction prompt can say "never
reproduce markers", and reports where each one was on the original text.

Detection is a catalogue of rules: a compiled regex (or, for blocks with an end marker, a
small scanner) plus a check on the value. Precision matters as much as recall: ordinary
code (`password: str`, `TOKEN = os.getenv(...)`), git SHAs, UUIDs, digests and the opaque
`signature` blobs of thinking blocks stay intact. A token is found wherever it stands: in
prose, in an assignment, before any punctuation mark (the full stop after `… eyJ….sig.` ends
the sentence, not the token); a password is found where a sentence gives it ("my password
is …", "mot de passe : …", "密码是…") as well as where code assigns it.

Speed and linear time: every token pattern starts with its literal head (so the regex
engine can skip ahead) and checks the character before it with a lookbehind placed after
the head, so a match starts only where a run of token characters starts and each run is
scanned once; quantifiers after a keyword are bounded; case-insensitive rules scan a
lowercased copy; block scanners remember an end marker they did not find.
`bench/bench_redaction.py` measures throughput and a 5 MB adversarial input.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

from ..skill import Skill, SkillExample
from .session import Event, Session

__all__ = ["KINDS", "Finding", "Redacted", "marker", "redact", "redact_bytes", "redact_session", "redact_skill",
           "redact_transcript", "redact_value"]

_MARKER_PREFIX = "[REDACTED:"


def marker(kind: str) -> str:
    """The text that replaces a secret of `kind`."""
    return f"{_MARKER_PREFIX}{kind}]"


@dataclass(frozen=True, slots=True)
class Finding:
    """One secret: its kind and its span `[start, end)` on the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redacted:
    """The redacted text and what was removed from it."""

    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.findings)


# --------------------------------------------------------------------------- rule machinery

Span = tuple[int, int, str]     # start, end, kind


class _Text:
    """The text under scan and, computed once on demand, a lowercased copy with the same offsets."""

    def __init__(self, raw: str) -> None:
        self.raw = raw

    @cached_property
    def lower(self) -> str:
        low = self.raw.lower()
        if len(low) != len(self.raw):  # "İ".lower() is two characters: lower ASCII only
            low = self.raw.translate(_ASCII_LOWER)
        return low


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
Finder = Callable[[_Text], Iterator[Span]]


@dataclass(frozen=True, slots=True)
class _Rule:
    kinds: tuple[str, ...]        # what the finder can report
    find: Finder
    needles: tuple[str, ...]      # the rule runs only if one of these occurs in the text ...
    ci_needles: tuple[str, ...]   # ... or one of these in the lowercased text
    priority: int                 # lower wins when spans overlap (specific kinds beat generic ones)

    def may_match(self, text: _Text) -> bool:
        if any(n in text.raw for n in self.needles):
            return True
        return any(n in text.lower for n in self.ci_needles)


def _regex_finder(kind: str, patterns: tuple[str, ...], groups: tuple[int | str, ...],
                  check: Callable[[str], bool] | None, lower: bool, back: int = 0) -> Finder:
    """Spans of the first of `groups` that took part in each match; `check` sees the original value.

    With `back`, a span starts that many characters before its match: for tokens whose literal
    part sits in the middle (`….atlasv1.…`), the pattern starts at the literal, for speed, and
    checks what comes before it with a lookbehind.
    """
    compiled = [(rx, [g for g in groups if g == 0 or g in rx.groupindex]) for rx in map(re.compile, patterns)]

    def find(text: _Text) -> Iterator[Span]:
        subject = text.lower if lower else text.raw
        for rx, usable in compiled:
            for m in rx.finditer(subject):
                group = next(g for g in usable if m.group(g) is not None)
                start, end = m.span(group)
                start -= back
                value = text.raw[start:end]
                if value and not value.startswith(_MARKER_PREFIX) and (check is None or check(value)):
                    yield start, end, kind

    return find


def _rx_rule(kind: str, patterns: str | tuple[str, ...], needles: tuple[str, ...] = (), *, lower: bool = False,
             priority: int = 2, groups: tuple[int | str, ...] = (0,), check: Callable[[str], bool] | None = None,
             back: int = 0) -> _Rule:
    """A regex rule (one pattern per literal head: a top-level alternation would lose the fast
    literal search); with `lower`, the patterns, written in lowercase, scan the lowercased text."""
    patterns = (patterns,) if isinstance(patterns, str) else patterns
    return _Rule((kind,), _regex_finder(kind, patterns, groups, check, lower, back),
                 () if lower else needles, needles if lower else (), priority)


_B62 = "A-Za-z0-9"
_URLSAFE = "A-Za-z0-9_-"


def _head(head: str, run: str) -> str:
    """A fixed-width `head` not preceded by a `run` character, or preceded by a JSON escape
    (`\\n`, `\\t`, `\\r`: tool inputs are JSON text). The lookbehinds follow the literal so the
    engine keeps its fast literal search."""
    return rf"{head}(?:(?<![{run}]{head})|(?<=\\[ntr]{head}))"


@lru_cache(maxsize=64)
def _end(run: str) -> str:
    """Where a token ends: its run of `run` characters stops, or only the run's punctuation is left
    before it stops. A full stop, hyphen or underscore after a token ends the sentence or the
    word (`… use eyJ….eyJ….sig.`), it is not part of the token."""
    chars = [chr(c) for c in range(33, 127) if re.fullmatch(f"[{run}]", chr(c))]
    punct = "".join(re.escape(c) for c in chars if not c.isalnum())
    return rf"(?=[{punct}]*(?![{run}]))" if punct else rf"(?![{run}])"


def _token(head: str, body: str, min_len: int, *, rest: str = "", run: str = _URLSAFE,
           max_len: int | None = None, tail: str = "") -> str:
    """`head`, then `rest`, then `min_len`+ chars of `body` (then `tail`), standing alone in a run of
    `run` chars (trailing punctuation aside, see `_end`). A `=` may stand before the head even
    when the run holds `=` (base64 padding ends a token; `KEY=<token>` starts one)."""
    quant = f"{{{min_len},{max_len}}}" if max_len else f"{{{min_len},}}"
    return rf"{_head(head, run.replace('=', ''))}{rest}[{body}]{quant}{tail}{_end(run)}"


# --------------------------------------------------------------------------- value checks

_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[^\W\d_]")
_SPACE = re.compile(r"\s")
_ALNUM = re.compile(r"[^\W_]")


def _mixed(value: str) -> bool:
    """Random tokens mix letters and digits; words and identifiers rarely do."""
    return _DIGIT.search(value) is not None and _LETTER.search(value) is not None


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WORD_RUN = re.compile(r"[a-z]{5,}")


def _wordy(value: str) -> bool:
    """Made of words (`access_logs.s3.enabled`, `AWSCompromisedKeyQuarantineV2`), not random.

    In random base62 a run of five lowercase letters is rare (0.42**5); here they hold 40%+ of it.
    """
    return sum(len(w) for w in _WORD_RUN.findall(value)) * 5 >= len(value) * 2


def _high_entropy(value: str) -> bool:
    """A value that looks like a random key: not words, an identifier, a UUID or a short id.

    Random base62/base64 of 16+ characters almost always holds a digit; CamelCase names never do.
    """
    if len(value) < 16 or _SPACE.search(value) or _UUID.fullmatch(value) or not _mixed(value):
        return False
    if _HEX.fullmatch(value):
        return len(value) >= 32 and _entropy(value) >= 3.0
    return not _wordy(value) and _entropy(value) >= 3.5


def _basic_credentials(value: str) -> bool:
    """`Basic <x>` is a credential only if x is base64 of `user:password`."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return ":" in decoded and decoded.isprintable()


def _bearer_value(value: str) -> bool:
    return _DIGIT.search(value) is not None or (len(value) >= 20 and not value.isalpha())


def _openai_key(value: str) -> bool:
    return _mixed(value) and not value.startswith(("sk-ant-", "sk-or-"))


def _varied_tail(value: str) -> bool:
    """`AKIA0000000000000000` is a placeholder: a real key id's 16 characters vary."""
    return len(set(value[4:])) >= 4


# --------------------------------------------------------------------------- names that say "secret"

_PASSWORD_PARTS = {"password", "passwd", "passphrase", "pwd", "pass", "pw", "secret", "secretkey", "clientsecret",
                   "credential", "credentials", "pgpassword", "mysqlpwd"}
_TOKEN_PARTS = {"token", "apikey", "accesskey", "privatekey", "authkey", "authtoken", "accesstoken",
                "refreshtoken", "apitoken", "bearer"}
_STRONG_PAIRS = {
    ("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"), ("signing", "key"),
    ("encryption", "key"), ("master", "key"), ("auth", "key"), ("session", "key"), ("client", "secret"),
    ("license", "key"), ("account", "key"), ("shared", "key"), ("app", "key"), ("consumer", "secret"),
    ("github", "pat"), ("gh", "pat"), ("gitlab", "pat"),
}
# Not "signature": Anthropic thinking blocks carry opaque, non-secret `signature` blobs.
_WEAK_PARTS = {"key", "keys", "auth", "hmac", "salt", "cookie", "creds", "cred"}
# A name ending in one of these describes a secret (its URL, file, length) instead of holding one.
_META_LAST = {
    "url", "uri", "endpoint", "host", "path", "file", "filename", "dir", "name", "names", "type", "types",
    "count", "limit", "limits", "len", "length", "size", "env", "var", "header", "field", "prefix", "suffix",
    "ttl", "expiry", "expires", "expiration", "lifetime", "policy", "hint", "min", "max", "required",
    "enabled", "label", "placeholder", "pattern", "regex", "format", "mode", "kind", "param", "id", "ids",
    "index", "idx", "provider", "source", "manager", "class", "cls", "fn", "func", "callback", "handler",
    "schema", "option", "options", "flag", "timeout", "scope", "scopes", "audience", "issuer", "usage",
    "used", "budget", "estimate", "ratio", "rate", "cost", "stdin", "command", "cmd", "validator", "store",
    "helper", "service", "version", "location", "reset", "strength", "rules", "error", "errors",
    "message", "msg", "text", "input", "prompt", "display", "visible", "valid", "changed", "set", "ref",
    "identifier", "arn", "hash", "digest", "checksum", "fingerprint", "thumbprint", "info",
}
_META_FIRST = {"max", "min", "num", "n", "total", "count", "is", "has", "use", "enable", "show", "require",
               "requires", "reset", "forgot", "no", "allow", "last", "cache", "sort", "primary", "partition",
               "foreign", "lookup", "dict", "map", "group", "route", "translation", "i18n", "idempotency",
               "unique", "composite", "hash", "row", "column", "object", "bucket", "s3", "old", "prev"}
# A name with one of these anywhere holds a digest or a public value, not a secret (`key_sha256`, `publicKey`).
_NOT_SECRET_PARTS = {"sha", "sha1", "sha256", "sha512", "md5", "hash", "digest", "checksum", "fingerprint",
                     "public", "pub"}
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

WEAK, TOKEN, PASSWORD = 1, 2, 3


def _name_parts(name: str) -> list[str]:
    return [p.lower() for chunk in re.split(r"[^A-Za-z0-9]+", name) for p in _CAMEL.findall(chunk)]


@lru_cache(maxsize=4096)
def _name_strength(name: str) -> int:
    """PASSWORD or TOKEN when the name says it holds a secret, WEAK when it might (key, auth), else 0."""
    parts = _name_parts(name)
    if not parts or name.upper() in ("PWD", "OLDPWD"):
        return 0
    if parts[-1] in _META_LAST or parts[0] in _META_FIRST:
        return 0
    if any("tokeniz" in p or p in _NOT_SECRET_PARTS for p in parts):
        return 0
    if any(p in _PASSWORD_PARTS or p.endswith(("password", "passwd", "secret")) for p in parts):
        return PASSWORD
    if any(p in _TOKEN_PARTS or p.endswith("token") for p in parts):
        return TOKEN
    if any(pair in _STRONG_PAIRS for pair in zip(parts, parts[1:], strict=False)):
        return TOKEN
    if any(p in _WEAK_PARTS or p.endswith("key") for p in parts):
        return WEAK
    return 0


_CODE_WORDS = {
    "none", "null", "nil", "true", "false", "undefined", "str", "string", "int", "bytes", "bool", "boolean",
    "float", "number", "any", "object", "dict", "list", "optional", "secretstr", "self", "this", "required",
    "empty", "unset", "na", "n/a", "redacted", "hidden", "masked", "env", "text",
}
_PLACEHOLDER = re.compile(r"[xX*._#-]+|<[^<>]*>|\{\{.*\}\}|\$\{.*\}|%[A-Za-z_]+%|…")
# Words that documentation uses in place of a secret (`postgres://user:pass@host`).
_PLACEHOLDER_WORDS = {"password", "pass", "passwd", "pwd", "pw", "secret", "mypassword", "yourpassword", "changeme",
                      "token", "apikey", "api_key", "your_api_key", "your-api-key", "mytoken", "mysecret"}
_REFERENCE_PREFIXES = (_MARKER_PREFIX, "$", "%", "{{", "process.env", "os.environ", "file://", "env:", "vault:",
                       "arn:", "http://", "https://")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_UPPER_IDENT = re.compile(r"[A-Z_][A-Z0-9_]*")


_FILE_EXT = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}\Z")


def _path_like(value: str) -> bool:
    """An object key, file name or tag (`my-app/build_12.war`, `tag:yaml.org,2002:str`), not a key."""
    return (":" in value or _FILE_EXT.search(value) is not None
            or ("/" in value and any(part and _wordy(part) for part in value.split("/"))))


def _placeholder(value: str) -> bool:
    """`***`, `<token>`, `${VAR}`, `{{ secret }}`, `password`: stand-ins and references, not secrets."""
    return (value.startswith(_REFERENCE_PREFIXES) or _PLACEHOLDER.fullmatch(value) is not None
            or value.lower() in _PLACEHOLDER_WORDS or _ALNUM.search(value) is None)


def _literal_secret(name: str, value: str, *, quoted: bool, sep: str, after: str = "",
                    json_name: bool = False) -> str | None:
    """The kind to report if `value`, given to `name`, is a secret literal; None for code,
    references, placeholders and values the name does not make secret."""
    strength = _name_strength(name)
    if not strength or not value or _placeholder(value) or value.lower() in _CODE_WORDS:
        return None
    if value.replace("_", "").lower() == name.replace("_", "").lower():
        return None  # `{ token: token }`, `password=password`
    if not quoted and (after.startswith(("(", ".", "[")) or _DOTTED.fullmatch(value)):
        return None  # a call, an attribute or a subscript: code
    if strength == WEAK:
        core = value.rstrip(".,;:!?")  # `HMAC_KEY=<key>:` ends a sentence; the colon is not a path's
        return "high_entropy_secret" if _high_entropy(core) and not _path_like(core) else None
    if value.isdigit():
        # `PIN=4821`, `password: 123456`; not `"pass": 3413` (a number in JSON, e.g. a vocabulary)
        ok = strength == PASSWORD and len(value) >= 4 and (quoted or not json_name)
        return "secret_assignment" if ok else None
    if strength == TOKEN:
        # Tokens are random: `"input_token": "NextToken"` and `"token": "the"` are not.
        random_like = _high_entropy(value) or (_mixed(value) and not _wordy(value))
        return "secret_assignment" if len(value) >= 8 and random_like and " " not in value else None
    if quoted:
        return "secret_assignment" if len(value) >= 4 else None  # `'CREDENTIALS_SSO': 'u'` is a flag
    if _IDENT.fullmatch(value) and _DIGIT.search(value) is None:
        if sep.endswith(":"):
            # `password: str`, `token: Token` are type hints and `{ token: csrfToken }` is JS;
            # a lowercase word is a YAML value.
            return "secret_assignment" if value.islower() else None
        if _UPPER_IDENT.fullmatch(value):
            return None  # `API_KEY = DEFAULT_API_KEY`: a constant
        # `password=password` is a keyword argument; `PASSWORD=hunter` is a .env line.
        return "secret_assignment" if _UPPER_IDENT.fullmatch(name) or sep.startswith(("?", "&")) else None
    return "secret_assignment"


# --------------------------------------------------------------------------- named values

# A secret-ish word in lowercased text marks where a name may hold a secret; the name's run
# start is found backwards and the full patterns are tried there only.
_NAME_WORD = re.compile(r"pass|pwd|pw|secret|token|key|auth|cred|salt|hmac|cookie|pat|bearer")
_NAME_RUN = re.compile(r"[A-Za-z0-9_.-]{0,41}\Z")
# `name <sep> value`: .env lines, shell exports, YAML/TOML/INI, JSON fields (also JSON-escaped
# inside a JSON string), code, URL query parameters. The value is read after the match.
_ASSIGNMENT = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,80}?)"
    r"(?P<nq>\\{0,3}[\"'])?\]?"
    r"(?P<sep>[ \t]*(?::[ \t]*[A-Za-z_][A-Za-z0-9_.\[\]| ]{0,60}?[ \t]*=(?!=)|:=|=|:)[ \t]*)"
    r"(?!=)(?P<open>\\{0,3}[\"'])?"
)
_BARE_VALUE = re.compile(r"[^\s\"'`,;&<>(){}\[\]\\]{1,512}")
_BARE_REST = re.compile(r"[^\s\"'`,;&<>(){}\[\]\\]*")
# after a value, the end of its line (or of a JSON/flow value), maybe past a stray mark or two
_COLON_END = re.compile(r"(?:[;&<>(){}\[\]`\\]|\\u[0-9a-fA-F]{4}){0,3}[ \t\r]*(?:\n|$|\\[nr]|[#,}'\"\]])")
# `name: value` alone: how `password: x=` reads once the type-hint reading (`password: str = …`) found no value
_ASSIGNMENT_COLON = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,80}?)(?P<nq>\\{0,3}[\"'])?\]?"
                               r"(?P<sep>[ \t]*:[ \t]*)(?!=)(?P<open>\\{0,3}[\"'])?")
_CALL_WINDOW = 200
_CLI_FLAG = re.compile(r"--(?P<name>[A-Za-z0-9_-]{1,60})(?:=|[ \t]+)"
                       r"(?:(?P<q>[\"'])(?P<qval>[^\"'\n\\]{1,512})(?P=q)|(?P<val>[^\s\"'`|<>;&\\]{1,512}))")
_NAME_BOUNDARY = frozenset("$:\\")
_MAX_QUOTED = 65536


def _closing_quote(raw: str, start: int, quote: str) -> int:
    """Where the string opened by `quote` (a quote after k backslashes) before `start` closes on
    the same line, or -1. A quote after n backslashes closes it when n - k is a multiple of
    2k + 2: `"a\\"b"` continues past `\\"`; JSON-escaped `\\"a\\\\\\"b\\"` past `\\\\\\"`.
    """
    k, char = len(quote) - 1, quote[-1]
    line_end = raw.find("\n", start, start + _MAX_QUOTED)
    limit = line_end if line_end >= 0 else min(len(raw), start + _MAX_QUOTED)
    pos = start
    while (i := raw.find(char, pos, limit)) >= 0:
        n = 0
        while n < 16 and i - n - 1 >= start and raw[i - n - 1] == "\\":
            n += 1
        if n >= k and (n - k) % (2 * k + 2) == 0:
            return i - k
        pos = i + 1
    return -1


def _called(raw: str, vend: int) -> bool:
    """The value is a function called or an object subscripted (`getpass()`, `env[...]`): its bracket closes
    on the same line. `PASSWORD=Hx7q(` with nothing closing it is a value and a stray mark."""
    bracket = raw[vend: vend + 1]
    if bracket not in ("(", "["):
        return False
    stop = min(len(raw), vend + _CALL_WINDOW)
    for newline in ("\n", "\\n"):  # a line ends at a newline, in JSON text at an escaped one too
        end = raw.find(newline, vend, stop)
        stop = end if end >= 0 else stop
    return raw.find(")" if bracket == "(" else "]", vend, stop) >= 0


def _assignment_at(raw: str, start: int, pattern: re.Pattern[str] = _ASSIGNMENT) -> Span | None:
    m = pattern.match(raw, start)
    if m is None or not _name_strength(m.group("name")):
        return None
    lead = raw[start - 1] if start and raw[start - 1] in "?&" else ""
    sep = lead + m.group("sep").strip()
    quote = m.group("open")
    if quote:
        vstart = m.end()
        vend = _closing_quote(raw, vstart, quote)
        if vend <= vstart:
            return None
    else:
        if ":" in sep and sep.endswith("=") and sep != ":=":
            # `password: str = field(...)`: after a type hint an unquoted value is code; yet `password: x=`
            # at the end of a line is a YAML value with a stray mark
            return _assignment_at(raw, start, _ASSIGNMENT_COLON) if pattern is _ASSIGNMENT else None
        bare = _BARE_VALUE.match(raw, m.end())
        if bare is None:
            return None
        vstart, vend = bare.span()
        if pattern is _ASSIGNMENT_COLON and "=" in raw[vstart:vend].rstrip("="):
            return None  # `Cookie: session=…` is a header holding an assignment, read as such elsewhere
        if sep.endswith(":") and not m.group("nq") and not _COLON_END.match(raw, vend):
            return None  # "Password: enter it below" is prose, not a YAML value
    kind = _literal_secret(m.group("name"), raw[vstart:vend], quoted=bool(quote), sep=sep,
                           after="(" if not quote and _called(raw, vend) else "", json_name=m.group("nq") is not None)
    if not kind:
        return None
    if not quote:
        vend = _BARE_REST.match(raw, vend).end()  # type: ignore[union-attr]  # a value longer than we read
    return vstart, vend, kind


def _cli_flag_at(text: str, start: int) -> Span | None:
    m = _CLI_FLAG.match(text, start)
    if m is None:
        return None
    group = "qval" if m.group("qval") is not None else "val"
    value = m.group(group)
    # Unquoted, a plain word is read like a keyword argument: "the --password option" is prose.
    if value.startswith("-") or not _literal_secret(m.group("name"), value, quoted=group == "qval", sep="="):
        return None
    end = m.end(group) if group == "qval" else _BARE_REST.match(text, m.end(group)).end()  # type: ignore[union-attr]
    return m.start(group), end, "cli_secret_flag"


def _find_named_values(text: _Text) -> Iterator[Span]:
    """`PASSWORD=…`, `"api_key": "…"`, `export X_TOKEN=…`, `--password …`: values whose name says secret."""
    raw = text.raw
    tried = covered = -1  # the last name start tried; the end of the last span reported
    for hit in _NAME_WORD.finditer(text.lower):
        if hit.start() < covered:
            continue  # inside a value already being redacted (keeps `password=password=…` linear)
        left = max(0, hit.start() - 41)
        start = _NAME_RUN.search(raw, left, hit.start()).start()  # type: ignore[union-attr]
        if start <= tried:
            continue
        tried = start
        if start == left and left > 0 and _NAME_RUN.match(raw, left - 1, left):
            continue  # the name starts more than 40 characters before the word: not one we read
        if start and raw[start - 1] == "\\" and raw[start] in "ntr":
            start += 1  # `\\nAPI_KEY=…` in JSON text: the `n` belongs to the escape, not the name
        if raw.startswith("--", start):
            if start == 0 or not (raw[start - 1].isalnum() or raw[start - 1] in "_-"):
                span = _cli_flag_at(raw, start)
                if span:
                    covered = span[1]
                    yield span
            continue
        while start < hit.start() and not (raw[start].isalpha() or raw[start] == "_"):
            start += 1  # a name starts with a letter (`.5password` is not one)
        if start and raw[start - 1] in _NAME_BOUNDARY:
            continue  # `$password`, `ns:token`, `\token`: a reference, not a name being assigned
        span = _assignment_at(raw, start)
        if span:
            covered = span[1]
            yield span


# `-u user:password` / `-pPASSWORD`, counted only after `curl` / `mysql` earlier on the same line
# (`docker run -u 1000:1000`, `ssh -p2222` are not credentials).
_USER_FLAG = (re.compile(r"-u(?<=[ \t]-u)[ \t=]*[\"']?[^\s:\"'-][^\s:\"']{0,127}:(?P<val>[^\s\"'@\\]{1,256})"),
              re.compile(r"--user(?<=[ \t]--user)[ \t=]*[\"']?[^\s:\"'-][^\s:\"']{0,127}:(?P<val>[^\s\"'@\\]{1,256})"))
_PASSWORD_FLAG = re.compile(r"-p(?<=[ \t]-p)(?P<val>[^\s\"'\\-][^\s\"'\\]{0,255})")
_CURL = re.compile(_head("curl", _URLSAFE) + r"\b")
_MYSQL = re.compile("(?:" + "|".join(_head(c, _URLSAFE) for c in ("mysql", "mysqldump", "mysqladmin", "mariadb"))
                    + r")\b")
_COMMAND_BEFORE = 300


def _command_on_line(raw: str, pos: int, command: re.Pattern[str]) -> bool:
    """`command` occurs on the line before `pos` (within a bounded window: linear time)."""
    line_start = raw.rfind("\n", max(0, pos - _COMMAND_BEFORE), pos) + 1
    return command.search(raw, max(line_start, pos - _COMMAND_BEFORE), pos) is not None


def _find_command_credentials(text: _Text) -> Iterator[Span]:
    """`curl -u user:password`, `mysql -pPASSWORD`."""
    raw = text.raw
    for rx, command in ((_USER_FLAG[0], _CURL), (_USER_FLAG[1], _CURL), (_PASSWORD_FLAG, _MYSQL)):
        for m in rx.finditer(raw):
            if not _placeholder(m.group("val")) and _command_on_line(raw, m.start(), command):
                yield (*m.span("val"), "cli_secret_flag")


# --------------------------------------------------------------------------- passwords in prose

# "my password is …", "the pw is …", "mot de passe : …", "密码是…", "the API key is …": a word that
# names a secret, an optional "for the staging db", a connector of the word's language, a value.
# The value must look like a password (a digit or a symbol in it, or a PIN) or, for keys and
# tokens, like a random token: "the password is incorrect" and "the token expired" stay.

def _json_escaped(word: str) -> str:
    """`word` as JSON text that escapes non-ASCII (`密码` -> `\\u5bc6\\u7801`), as Python's json.dumps writes it."""
    return json.dumps(word)[1:-1].lower()


_PW, _PHRASE, _PIN, _KEY = "password", "passphrase", "pin", "key"
_EN = "is|was|will be|has been|had been|è|é"
_PROSE_FAMILIES: dict[str, tuple[str, str]] = {
    # word (lowercase) -> (what it names, the words that say "is" in its language)
    "password": (_PW, _EN), "passwd": (_PW, _EN), "passcode": (_PW, _EN), "pw": (_PW, _EN),
    "passphrase": (_PHRASE, _EN), "pin": (_PIN, _EN),
    "mot de passe": (_PW, "est|était|sera"), "mdp": (_PW, "est|était|sera"),
    "passwort": (_PW, "ist|lautet|war"), "kennwort": (_PW, "ist|lautet|war"),
    "contraseña": (_PW, "es|era|será"), "clave": (_PW, "es|era|será"),
    "senha": (_PW, "é|era|será"), "wachtwoord": (_PW, "is|was"), "hasło": (_PW, "to|jest|brzmi"),
    "lösenord": (_PW, "är|var"), "пароль": (_PW, "это|будет|был"),
    "密码": (_PW, "是|为|為"), "密碼": (_PW, "是|为|為"), "口令": (_PW, "是|为|為"),
    "パスワード": (_PW, "は|が"), "비밀번호": (_PW, "는|은|가|이"),
    "api key": (_KEY, _EN), "api-key": (_KEY, _EN), "api_key": (_KEY, _EN), "apikey": (_KEY, _EN),
    "api token": (_KEY, _EN), "access token": (_KEY, _EN), "access key": (_KEY, _EN),
    "secret key": (_KEY, _EN), "client secret": (_KEY, _EN), "secret": (_KEY, _EN), "token": (_KEY, _EN),
}
# the same words and connectors in JSON text that escapes non-ASCII (`senha \u00e9`, `\u5bc6\u7801`)
_PROSE_FAMILIES = {word: (what, "|".join(dict.fromkeys(a for alt in conn.split("|")
                                                     for a in (alt, _json_escaped(alt)))))
                   for word, (what, conn) in _PROSE_FAMILIES.items()}
_PROSE_FAMILIES.update({_json_escaped(word): family for word, family in list(_PROSE_FAMILIES.items())
                        if not word.isascii()})

# The words are found with str.find, ten times faster than a regex alternation of them: each
# needle, then the words that hold it (`api token` holds `token`) checked where it occurs. A
# needle whose first character is rare is left to one regex scan, which skips ahead to them.
_PROSE_NEEDLES: dict[str, list[tuple[str, int]]] = {
    n: [(k, i) for k in _PROSE_FAMILIES for i in range(len(k)) if k.startswith(n, i)]
    for n in ("pass", "pw", "pin", "mdp", "mot de passe", "kennwort", "contrase", "clave", "senha", "wachtwoord",
              "hasło", "has\\u0142o", "senord", "api", "access", "secret", "token",
              "пароль", "密码", "密碼", "口令", "パスワード", "비밀번호", "\\u")
}
_COMMON_NEEDLES = [n for n in _PROSE_NEEDLES if n[0].isascii() and n[0] != "\\"]
_RARE_NEEDLES = re.compile("|".join(re.escape(n) for n in _PROSE_NEEDLES if n not in _COMMON_NEEDLES))


def _prose_words(low: str) -> list[tuple[int, str]]:
    """(start, word) of every prose word in the lowercased text, in order, the longest at each start."""
    found: dict[int, str] = {}

    def at(pos: int, needle: str) -> None:
        for word, offset in _PROSE_NEEDLES[needle]:
            start = pos - offset
            if start >= 0 and low.startswith(word, start) and len(word) > len(found.get(start, "")):
                found[start] = word

    for needle in _COMMON_NEEDLES:
        pos = low.find(needle)
        while pos >= 0:
            at(pos, needle)
            pos = low.find(needle, pos + 1)
    for m in _RARE_NEEDLES.finditer(low):
        at(m.start(), m.group(0))
    return sorted(found.items())


_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef"
_CLOSE_QUOTE = {'"': '"', "'": "'", "`": "`", "“": "”", "‘": "’", "«": "»", "「": "」", "『": "』"}
_CLOSE_QUOTE.update({_json_escaped(o): _json_escaped(c) for o, c in list(_CLOSE_QUOTE.items()) if not o.isascii()})
_OPEN_QUOTE = "|".join(re.escape(q) for q in sorted(_CLOSE_QUOTE, key=len, reverse=True))
# `for the staging db`: up to four words naming what the password is for, before the connector
_FOR = r"(?:[ \t]+(?:for|of|to|on|at|in|pour|de|du|für|para|per|van|dla|для)(?:[ \t]+[^\s:=：]{1,40}?){1,4}?)?"


def _connector(words: str) -> str:
    """Alternatives of `words`, as whole words where they are Latin (`是`, `は` need no space around them)."""
    def one(w: str) -> str:
        left = r"(?<![a-z])" if w[0].isascii() and w[0].isalpha() else ""
        right = r"(?![a-z])" if w[-1].isascii() and w[-1].isalpha() and "\\" not in w else ""
        return left + re.escape(w).replace(r"\ ", r"[ \t]+") + right

    return "|".join(one(w) for w in words.split("|"))


def _prose_rest(conn: str, *, after_for: bool) -> re.Pattern[str]:
    """What follows the word up to the value: `:`, `=`, `—` or the language's "is" (`is now`, `ist`, `是`)."""
    return re.compile(
        (_FOR if after_for else "")
        + r"(?:[ \t]*(?:[:=：]|\\uff1a)|[ \t]*[—–][ \t]|[ \t]*(?:" + _connector(conn) + r")"
        r"(?:[ \t]+(?:now|still|just|currently|set to|changed to|reset to|updated to)(?![a-z]))?[ \t]*:?)"
        r"[ \t]*(?:\\{0,3}(?P<q>" + _OPEN_QUOTE + r")[ \t]?)?")


# the connector right after the word; failing that, after "for the staging db"; or "… changed to"
_PROSE_REST = {conn: (_prose_rest(conn, after_for=False), _prose_rest(conn, after_for=True))
               for conn in {c for _, c in _PROSE_FAMILIES.values()}}
_CHANGED_TO = re.compile(r"[ \t]+(?:has been |was |is )?(?:changed|set|reset|updated) to[ \t]+")
_PROSE_BARE = re.compile(r"[^\s\"'`<>()\[\]{}\\«»“”‘’" + _CJK + r"]{1,128}")
_TRAILING = ".,;:!?…"
_TECH_PART = re.compile(r"(?:sha|md|base|utf|ucs|x|aes|rsa|ec|ed|pkcs|tls|ssl|http|ipv|argon|pbkdf|e|v)"
                        r"[0-9]+[a-z]{0,2}")


def _password_like(value: str, what: str, quoted: bool) -> bool:
    """A value a sentence gives as the password (or key): not a word, a reference or a placeholder."""
    if not value or _placeholder(value) or value.lower() in _CODE_WORDS or value.lower() in _NOT_SECRET_PARTS:
        return False
    if value.startswith(("/", "~", "./", "../")) or _DOTTED.fullmatch(value):
        return False  # a path, `config.db.password`
    if what == _KEY:  # a key or token: random, and more than digits (`bot 123456789:…` names the bot)
        return " " not in value and (_high_entropy(value) or (len(value) >= 12 and _mixed(value) and not _wordy(value)))
    if value.isdigit():
        return 4 <= len(value) <= (8 if what == _PIN else 64)
    if what == _PIN:
        return False
    if what == _PHRASE and quoted and len(value) >= 12 and value.count(" ") >= 2:
        return True  # "correct horse battery staple"
    if " " in value or len(value) < (4 if quoted else 6) or _LETTER.search(value) is None:
        return False
    if _DIGIT.search(value) is None and _ALNUM.sub("", value) == "":
        return False  # a plain word: "incorrect", "required"
    # `sha256-hashed`, `base64-encoded`, `e2e-encrypted`: words and algorithm names, not a password
    parts = [p for p in re.split(r"[-_]", value.lower()) if p]
    return not all(p.isalpha() or _TECH_PART.fullmatch(p) for p in parts)


def _find_prose_passwords(text: _Text) -> Iterator[Span]:
    """"my password is Hx7…", "mot de passe : …", "密码是…": a value a sentence says is a secret."""
    low = text.lower
    covered = -1
    for start, word in _prose_words(low):
        end = start + len(word)
        if start < covered:
            continue  # `token` inside `api token`, read there already
        after_escape = start >= 2 and low[start - 2] == "\\" and low[start - 1] in "ntr"  # `\nmy password` in JSON
        if word[0].isascii() and word[0].isalpha() and (
                start and low[start - 1].isalnum() and not after_escape or end < len(low) and low[end].isalpha()):
            continue  # inside a word: `passwords`, `spin`, `tokens`
        what, conn = _PROSE_FAMILIES[word]
        for rest in (*_PROSE_REST[conn], _CHANGED_TO):
            m = rest.match(low, end)
            span = _prose_value(text, m, what) if m is not None else None
            if span is not None:
                covered = end
                yield (*span, "secret_in_prose" if what == _KEY else "password_in_prose")
                break


_PIN_VALUE = re.compile(r"[0-9]{4,8}(?![A-Za-z0-9])")


def _prose_value(text: _Text, m: re.Match[str], what: str) -> tuple[int, int] | None:
    """The span of the value after a prose connector, if it looks like the secret the sentence names."""
    raw = text.raw
    quote = m.groupdict().get("q")
    vstart = m.end()
    if what == _PIN and not quote:
        pin = _PIN_VALUE.match(raw, vstart)
        return pin.span() if pin else None
    if quote:
        vend = text.lower.find(_CLOSE_QUOTE[quote], vstart, vstart + 256)
        if vend < 0:
            return None
        while vend > vstart and raw[vend - 1] in "\\ \t":
            vend -= 1  # `\"…\"` in JSON text, `« … »` in French
    else:
        bare = _PROSE_BARE.match(raw, vstart)
        if bare is None:
            return None
        vend = bare.end()
        while vend > vstart and raw[vend - 1] in _TRAILING:
            vend -= 1  # the sentence's full stop, not the password's
    return (vstart, vend) if _password_like(raw[vstart:vend], what, bool(quote)) else None


# --------------------------------------------------------------------------- blocks

_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----")
_PEM_TAIL = re.compile(r"[A-Za-z0-9+/=\r\n\\.]*")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{32}")


def _find_pem(text: _Text) -> Iterator[Span]:
    """PEM/OpenSSH/PGP private keys, multi-line or `\\n`-escaped; a truncated one up to its base64's end.

    A block needs key material (a 32-character base64 run): prose that names the markers stays.
    Linear even for many BEGINs before one END: each label's END position, and whether the text
    up to it holds key material, are looked up once.
    """
    raw = text.raw
    next_end: dict[str, int] = {}        # label -> position of its next END marker (-1: none left)
    barren_until: dict[str, int] = {}    # label -> no key material between a BEGIN and this END
    pos = 0
    while (m := _PEM_BEGIN.search(raw, pos)) is not None:
        label = m.group(1)
        end_marker = f"-----END {label}-----"
        end = next_end.get(label)
        if end is None or 0 <= end < m.end():
            end = next_end[label] = raw.find(end_marker, m.end())
        if end < 0:  # a truncated key: the base64 that follows the header
            body_end = stop = _PEM_TAIL.match(raw, m.end()).end()  # type: ignore[union-attr]
        else:
            body_end, stop = end, end + len(end_marker)
        if barren_until.get(label) != body_end and _KEY_MATERIAL.search(raw, m.end(), body_end):
            yield m.start(), stop, "private_key"
            pos = stop
        else:
            barren_until[label] = body_end
            pos = m.end()


_PRIVATE_OPEN = re.compile(r"<private>")
_PRIVATE_CLOSE = re.compile(r"</private\s*>")


def _find_private(text: _Text) -> Iterator[Span]:
    """`<private>…</private>` (any case) with its content; an unclosed one runs to the end of the text."""
    pos = 0
    while (m := _PRIVATE_OPEN.search(text.lower, pos)) is not None:
        close = _PRIVATE_CLOSE.search(text.lower, m.end())
        stop = close.end() if close else len(text.raw)
        yield m.start(), stop, "private"
        pos = stop


# --------------------------------------------------------------------------- URLs

_DB_SCHEMES = {
    "postgres", "postgresql", "mysql", "mariadb", "mongodb", "redis", "rediss", "amqp", "amqps", "mssql",
    "sqlserver", "oracle", "cockroachdb", "clickhouse", "couchdb", "neo4j", "bolt", "cassandra", "memcached",
    "sqlite", "snowflake", "db2", "kafka", "nats", "elasticsearch",
}
_URL_CREDS = re.compile(r"://(?P<user>[^\s:/?#@\"'<>\\\[\]]{0,128}):(?P<val>[^\s/?#@\"'<>\\\[\]]{1,256})@")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.:-]{0,30}\Z")


def _find_url_passwords(text: _Text) -> Iterator[Span]:
    """`scheme://user:password@host`; database schemes get their own kind."""
    raw = text.raw
    for m in _URL_CREDS.finditer(raw):
        scheme_m = _SCHEME.search(raw, max(0, m.start() - 31), m.start())
        if scheme_m is None or _placeholder(m.group("val")):
            continue
        scheme = scheme_m.group(0).lower()
        if scheme_m.start() and raw[scheme_m.start() - 1] == "\\" and scheme[0] in "ntr":
            scheme = scheme[1:]  # `\\npostgres://` in JSON text
        scheme = scheme.removeprefix("jdbc:").split("+")[0]
        yield (*m.span("val"), "database_url_password" if scheme in _DB_SCHEMES else "url_password")


_BASIC = re.compile(_head("basic", "a-z0-9_-") + r"[ \t]+(?P<val>[a-z0-9+/]{8,}={0,2})" + _end("a-z0-9+/="))


def _find_basic_auth(text: _Text) -> Iterator[Span]:
    """`Basic <base64 of user:password>`; a `+`, `/` or `=` after it (`…ZQ+`) is punctuation, not base64."""
    raw = text.raw
    for m in _BASIC.finditer(text.lower):
        start, end = m.span("val")
        while end - start >= 8:
            if _basic_credentials(raw[start:end]):
                yield start, end, "basic_auth"
                break
            if raw[end - 1] not in "+/=":
                break
            end -= 1


# --------------------------------------------------------------------------- the catalogue

_RULES: tuple[_Rule, ...] = (
    _Rule(("private",), _find_private, (), ("<private",), 0),
    _Rule(("private_key",), _find_pem, ("PRIVATE KEY",), (), 1),
    _rx_rule("gcp_service_account_key", r'"private_key"\s*:\s*"(?P<val>(?:[^"\\]|\\.){20,20000})"',
             ('"private_key"',), priority=0, groups=("val",)),
    _rx_rule("anthropic_api_key", _token("sk-ant-", _URLSAFE, 32, rest=r"(?:api|admin|oat|sid)[0-9]{2}-"),
             ("sk-ant-",)),
    _rx_rule("openrouter_api_key", _token("sk-or-v1-", "a-f0-9", 48), ("sk-or-",)),
    _rx_rule("openai_api_key", _token("sk-", _URLSAFE, 20, rest="(?:proj-|svcacct-|admin-|None-)?"), ("sk-",),
             priority=3, check=_openai_key),
    _rx_rule("google_api_key", _token("AIza", _URLSAFE, 35, max_len=35), ("AIza",)),
    _rx_rule("github_token", _token("gh[pousr]_", _B62, 36, run=_B62 + "_"), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    _rx_rule("github_fine_grained_token", _token("github_pat_", _B62 + "_", 60, run=_B62 + "_"), ("github_pat_",)),
    _rx_rule("gitlab_token", _token("gl", _URLSAFE, 20, rest="(?:pat|dt|rt|cbt|ptt|ft|imt|agent|oas|soat)-"),
             ("gl",), check=_mixed),
    _rx_rule("slack_token", (_token("xox[abposre]-", _B62 + "-", 10), _token("xapp-", _B62 + "-", 10)),
             ("xox", "xapp-"), check=_mixed),
    _rx_rule("slack_webhook", r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
             ("hooks.slack.com",), priority=1),
    _rx_rule("stripe_key", (_token("sk_", _B62, 16, rest="(?:live|test)_", run=_B62 + "_"),
                            _token("rk_", _B62, 16, rest="(?:live|test)_", run=_B62 + "_"),
                            _token("whsec_", _B62, 16, run=_B62 + "_")), ("_live_", "_test_", "whsec_"), check=_mixed),
    _rx_rule("aws_access_key_id", _token("A[KSBC][IC]A", "A-Z0-9", 16, max_len=16, run=_B62),
             ("AKIA", "ASIA", "ABIA", "ACCA"), check=_varied_tail),
    _rx_rule("aws_secret_access_key",
             _head("aws", "a-z0-9") + r"(?=[a-z0-9_.-]{0,30}?(?:secret|sk))[a-z0-9_.-]{0,60}+\\{0,3}[\"']?[ \t]*"
             r"(?:[:=]|=>)[ \t]*\\{0,3}[\"']?(?P<val>[a-z0-9/+]{40})" + _end("a-z0-9/+="), ("aws",), lower=True,
             priority=1, groups=("val",), check=_mixed),
    _rx_rule("aws_secret_access_key",  # a credentials CSV row: key id, then the secret
             _head("A[KS]IA", _B62) + r"[A-Z0-9]{16}[ \t]*[,:;|\t][ \t]*(?P<val>[A-Za-z0-9/+]{40})"
             + _end("A-Za-z0-9/+="),
             ("AKIA", "ASIA"), priority=1, groups=("val",), check=_mixed),
    _rx_rule("azure_storage_key", tuple(_head(h, _B62) + r"(?P<val>[A-Za-z0-9+/]{30,}={0,2})"
                                        for h in ("AccountKey=", "SharedAccessKey=")),
             ("AccountKey=", "SharedAccessKey="), priority=1, groups=("val",)),
    _rx_rule("azure_sas_signature", _head("sig=", _B62 + "_") + r"(?P<val>[A-Za-z0-9%+/]{30,}(?:%3D|=){0,2})",
             ("sig=",), priority=1, groups=("val",)),
    _rx_rule("huggingface_token", tuple(_token(h, _B62, 30, run=_B62 + "_") for h in ("hf_", "api_org_")),
             ("hf_", "api_org_"), check=_mixed),
    _rx_rule("npm_token", (_token("npm_", _B62, 36, run=_B62 + "_"), r"_authToken=(?P<val>[^\s\"'$]{16,})"),
             ("npm_", "_authToken="), groups=("val", 0)),
    _rx_rule("pypi_token", _token("pypi-", _URLSAFE, 50, rest="Ag"), ("pypi-Ag",)),
    _rx_rule("twilio_api_key", _token("SK", "0-9a-f", 32, max_len=32, run=_B62 + "_"), ("SK",), check=_mixed),
    _rx_rule("sendgrid_api_key", _token(r"SG\.", _URLSAFE, 39, rest=r"[A-Za-z0-9_-]{20,24}\.", max_len=50,
                                        run="." + _URLSAFE), ("SG.",)),
    _rx_rule("mailgun_api_key", _token("key-", "0-9a-f", 32, max_len=32), ("key-",)),
    _rx_rule("discord_bot_token", _token("[MNO]", _URLSAFE, 27, rest=r"[A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.",
                                         max_len=40, run="." + _URLSAFE), ("M", "N", "O"), check=_mixed),
    _rx_rule("discord_webhook",
             r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/(?P<val>[A-Za-z0-9_-]{20,})",
             ("discord",), priority=1, groups=("val",)),
    _rx_rule("telegram_bot_token", r":(?P<val>AA(?<=[0-9]{8}:AA)[A-Za-z0-9_-]{33})" + _end(_URLSAFE), (":AA",),
             groups=("val",)),
    _rx_rule("jwt", _token("eyJ", _URLSAFE, 0, rest=r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.",
                           run="." + _URLSAFE), ("eyJ",), priority=3),
    _rx_rule("groq_api_key", _token("gsk_", _B62, 48, run=_B62 + "_"), ("gsk_",)),
    _rx_rule("replicate_token", _token("r8_", _B62, 36, run=_B62 + "_"), ("r8_",), check=_mixed),
    _rx_rule("perplexity_api_key", _token("pplx-", _B62, 40), ("pplx-",)),
    _rx_rule("xai_api_key", _token("xai-", _B62, 60), ("xai-",)),
    _rx_rule("shopify_token", _token("shp", "a-fA-F0-9", 32, rest="(?:at|ss|ca|pa)_", run=_B62 + "_"), ("shp",)),
    _rx_rule("digitalocean_token", _token("do[opr]_v1_", "a-f0-9", 64, run=_B62 + "_"), ("_v1_",)),
    _rx_rule("vault_token", _token(r"hv[sbr]\.", _URLSAFE, 24, run="." + _URLSAFE), ("hvs.", "hvb.", "hvr."),
             check=_mixed),
    _rx_rule("doppler_token", _token(r"dp\.", _B62, 40, rest=r"(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,35}\.)?",
                                     run="." + _B62), ("dp.",)),
    _rx_rule("databricks_token", _token("dapi", "a-f0-9", 32, run=_B62 + "-"), ("dapi",), check=_mixed),
    _rx_rule("sentry_token", _token("sntry[su]_", _B62 + "+/=_", 40, run=_B62 + "_"), ("sntry",)),
    _rx_rule("linear_api_key", _token("lin_", _B62, 40, rest="(?:api|oauth)_", run=_B62 + "_"), ("lin_",)),
    _rx_rule("notion_token", tuple(_token(h, _B62, 43, max_len=46, run=_B62 + "_") for h in ("ntn_", "secret_")),
             ("ntn_", "secret_"), check=_mixed),
    _rx_rule("postman_api_key", _token("PMAK-", "a-fA-F0-9-", 59), ("PMAK-",)),
    _rx_rule("age_secret_key", _token("AGE-SECRET-KEY-1", "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
             ("AGE-SECRET-KEY-",)),
    _rx_rule("atlassian_api_token", _token("ATATT3", "=" + _URLSAFE, 150, run="=" + _URLSAFE), ("ATATT3",)),
    _rx_rule("bitbucket_app_password", _token("ATBB", _B62, 32, run=_B62 + "_"), ("ATBB",), check=_mixed),
    _rx_rule("google_oauth_client_secret", _token("GOCSPX-", _URLSAFE, 24, max_len=40), ("GOCSPX-",), check=_mixed),
    _rx_rule("google_oauth_token", (_token(r"ya29\.", _URLSAFE, 30, run="." + _URLSAFE),
                                    _token("1//0", _URLSAFE, 40, run="/" + _URLSAFE)), ("ya29.", "1//0"), check=_mixed),
    _rx_rule("azure_ad_client_secret",  # 3 characters and a digit before `Q~`: the pattern starts at the literal
             r"Q~(?<=(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~)[A-Za-z0-9_~.-]{31,34}" + _end("~." + _URLSAFE),
             ("Q~",), back=4, check=_mixed),
    _rx_rule("teams_webhook", r"https://[A-Za-z0-9-]{1,63}\.webhook\.office\.com/webhookb2/[A-Za-z0-9@/_-]{20,}",
             ("webhook.office.com",), priority=1),
    _rx_rule("square_token", (_token("sq0atp-", _URLSAFE, 22), _token("sq0csp-", _URLSAFE, 40),
                              _token("EAAA", _URLSAFE, 56, max_len=80, run="+/=" + _URLSAFE)),
             ("sq0atp-", "sq0csp-", "EAAA"), check=_mixed),
    _rx_rule("braintree_access_token",
             _head(r"access_token\$production\$", _B62) + r"[0-9a-z]{16}\$[0-9a-f]{32}" + _end(_B62),
             ("access_token$production$",)),
    _rx_rule("mailchimp_api_key",  # 32 hex digits, then the data centre: the pattern starts at `-us`
             r"-us(?<=(?<![A-Za-z0-9_-])[0-9a-f]{32}-us)[0-9]{1,2}" + _end(_URLSAFE), ("-us",), back=32,
             check=lambda v: _mixed(v[:32])),
    _rx_rule("newrelic_api_key", _token("NRAK-", "A-Z0-9", 27, max_len=27, run=_B62), ("NRAK-",), check=_mixed),
    _rx_rule("docker_hub_token", _token("dckr_[po]at_", _URLSAFE, 24), ("dckr_",), check=_mixed),
    _rx_rule("supabase_token", (_token("sbp_", "a-f0-9", 40, run=_B62 + "_"), _token("sb_secret_", _URLSAFE, 30)),
             ("sbp_", "sb_secret_"), check=_mixed),
    _rx_rule("planetscale_token", tuple(_token(h, "." + _URLSAFE, 32, run="." + _URLSAFE)
                                        for h in ("pscale_tkn_", "pscale_pw_", "pscale_oauth_")),
             ("pscale_",), check=_mixed),
    _rx_rule("tailscale_key", _token("tskey-", _URLSAFE, 30), ("tskey-",), check=_mixed),
    _rx_rule("onepassword_service_token", _token("ops_eyJ", _B62 + "+/=", 200, run=_B62 + "+/=_"), ("ops_eyJ",)),
    _rx_rule("mapbox_secret_token", _token(r"sk\.eyJ", _URLSAFE, 20, rest=r"[A-Za-z0-9_-]{20,}\.", run="." + _URLSAFE),
             ("sk.eyJ",)),
    _rx_rule("alibaba_access_key_id", _token("LTAI", _B62, 12, max_len=20, run=_B62), ("LTAI",), check=_mixed),
    _rx_rule("terraform_cloud_token",  # 14 characters before `.atlasv1.`: the pattern starts at the literal
             r"\.atlasv1\.(?<=(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.)[A-Za-z0-9_=-]{60,70}" + _end("=" + _URLSAFE),
             (".atlasv1.",), back=14),
    _rx_rule("grafana_token", (_head("glsa_", _B62 + "_") + r"[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}" + _end(_B62 + "_"),
                               _token("glc_", _B62 + "+/", 32, run=_B62 + "+/=_", tail="={0,2}")), ("glsa_", "glc_"),
             check=_mixed),
    _rx_rule("figma_token", _token("figd_", _URLSAFE, 40), ("figd_",), check=_mixed),
    _rx_rule("pulumi_token", _token("pul-", "a-f0-9", 40, max_len=40), ("pul-",), check=_mixed),
    _rx_rule("netlify_token", _token("nfp_", _B62, 36, run=_B62 + "_"), ("nfp_",), check=_mixed),
    _rx_rule("dynatrace_token", _token(r"dt0c01\.", "A-Z0-9", 64, rest=r"[A-Z0-9]{24}\.", run="." + _B62),
             ("dt0c01.",)),
    _rx_rule("rubygems_api_key", _token("rubygems_", "a-f0-9", 48, run=_B62 + "_"), ("rubygems_",)),
    _Rule(("url_password", "database_url_password"), _find_url_passwords, ("://",), (), 4),
    _rx_rule("bearer_token",
             r"(?:" + _head("bearer", "a-z0-9_-") + r"[ \t]+|authorization\\{0,3}[\"']?[ \t]*[:=][ \t]*\\{0,3}[\"']?"
             r"token[ \t]+)(?P<val>[a-z0-9._~+/-]{12,}=*)(?![a-z0-9._~+/=-])", ("bearer", "authorization"),
             lower=True, priority=5, groups=("val",), check=_bearer_value),
    _Rule(("basic_auth",), _find_basic_auth, (), ("basic",), 5),
    _Rule(("cli_secret_flag",), _find_command_credentials, ("curl", "mysql", "mariadb"), (), 6),
    _Rule(("password_in_prose", "secret_in_prose"), _find_prose_passwords, ("",), (), 8),  # it finds its words
    _Rule(("secret_assignment", "high_entropy_secret", "cli_secret_flag"), _find_named_values, (),
          ("pass", "pwd", "pw", "secret", "token", "key", "auth", "cred", "salt", "hmac", "cookie", "pat", "bearer"),
          7),
)

KINDS: tuple[str, ...] = tuple(sorted({kind for rule in _RULES for kind in rule.kinds}))
"""Every kind `redact` can report, i.e. every `<kind>` a marker can carry."""


# --------------------------------------------------------------------------- entry points

def redact(text: str) -> Redacted:
    """Replace every secret in `text` with `[REDACTED:<kind>]`; findings are spans on the original.

    Redacting can join what a span had kept apart (a `<private>` block with a newline in it
    puts a `curl` and a later `-u user:pw` on one line), so the output is scanned again and
    what that finds is mapped back onto the original, until nothing new turns up: the result
    is a fixed point, `redact(redact(x).text).text == redact(x).text`.
    """
    if not text:
        return Redacted(text, [])
    spans = _spans(text)
    if not spans:
        return Redacted(text, [])
    findings = _merge(spans)
    out = _apply(text, findings)
    for _ in range(_MAX_RESCANS):
        again = _spans(out)
        if not again:
            break
        spans += [(_to_original(findings, s, end=False), _to_original(findings, e, end=True), prio, kind)
                  for s, e, prio, kind in again]
        findings = _merge(spans)
        out = _apply(text, findings)
    return Redacted(out, findings)


_MAX_RESCANS = 4
_SpanP = tuple[int, int, int, str]  # start, end, priority (lower is more specific), kind


def _spans(text: str) -> list[_SpanP]:
    scan = _Text(text)
    return [(start, end, rule.priority, kind)
            for rule in _RULES if rule.may_match(scan)
            for start, end, kind in rule.find(scan)]


def _merge(spans: list[_SpanP]) -> list[Finding]:
    """Overlapping spans merge into one (nothing is left half-redacted); the most specific kind names it."""
    ordered = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    findings: list[Finding] = []
    cur_start, cur_end, cur_prio, cur_kind = ordered[0]
    for start, end, prio, kind in ordered[1:]:
        if start < cur_end:
            if prio < cur_prio:
                cur_prio, cur_kind = prio, kind
            cur_end = max(cur_end, end)
        else:
            findings.append(Finding(cur_kind, cur_start, cur_end))
            cur_start, cur_end, cur_prio, cur_kind = start, end, prio, kind
    findings.append(Finding(cur_kind, cur_start, cur_end))
    return findings


def _apply(text: str, findings: list[Finding]) -> str:
    out: list[str] = []
    pos = 0
    for f in findings:
        out += (text[pos:f.start], marker(f.kind))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def _to_original(findings: list[Finding], pos: int, *, end: bool) -> int:
    """Where an offset in the redacted text falls in the original; inside a marker, that finding's edge."""
    shift = 0  # original offset minus output offset, for the text after the findings passed so far
    for f in findings:
        out_start = f.start - shift
        out_end = out_start + len(marker(f.kind))
        if pos < out_start or (pos == out_start and end):
            break
        if pos < out_end or (pos == out_end and end):
            return f.end if end else f.start
        shift = f.end - out_end
    return pos + shift


def _redact_field(value: str | None, counts: Counter[str] | None) -> str | None:
    if not value:
        return value
    result = redact(value)
    if counts is not None:
        counts.update(f.kind for f in result.findings)
    return result.text


def redact_session(session: Session, *, counts: Counter[str] | None = None) -> Session:
    """A copy of `session` with every event's text, tool input and output, and the title, cwd and
    project redacted. `counts`, when given, is updated with the number of findings per kind."""
    events: list[Event] = []
    for event in session.events:
        tool = event.tool
        if tool is not None:
            tool = replace(tool, input=_redact_field(tool.input, counts) or "",
                           output=_redact_field(tool.output, counts))
        events.append(replace(event, text=_redact_field(event.text, counts) or "", tool=tool))
    return replace(
        session,
        events=events,
        title=_redact_field(session.title, counts),
        cwd=_redact_field(session.cwd, counts),
        project=_redact_field(session.project, counts),
        skipped=dict(session.skipped),
        warnings=list(session.warnings),
    )


def redact_value(value: Any, counts: Counter[str] | None = None) -> Any:
    """A copy of a JSON value with every string redacted, and every string field whose name says it
    holds a secret (`{"password": "…"}`) replaced by a marker when its value is one."""
    if isinstance(value, str):
        return _redact_field(value, counts)
    if isinstance(value, list):
        return [redact_value(v, counts) for v in value]
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new = redact_value(item, counts)
            if isinstance(key, str) and isinstance(new, str) and new:
                kind = _literal_secret(key, new, quoted=True, sep=":", json_name=True)
                if kind is not None:
                    new = marker(kind)
                    if counts is not None:
                        counts[kind] += 1
            out[_redact_field(key, counts) if isinstance(key, str) else key] = new
        return out
    return value


def _redact_json_text(text: str, counts: Counter[str]) -> str | None:
    """`text` (one JSON value) redacted and still the same JSON; None if it is not JSON.

    Redacted as text first (fast, and what the rules are written for); when a span ran across the
    JSON's own quotes (an unclosed `<private>`), string by string instead.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return None
    found = redact(text)
    if not found.findings:
        return text
    try:
        json.loads(found.text)
    except ValueError:
        return json.dumps(redact_value(value, counts), ensure_ascii=False)
    counts.update(f.kind for f in found.findings)
    return found.text


def redact_transcript(text: str) -> tuple[str, Counter[str]]:
    """A transcript's text with every secret replaced, still readable as the format it was in
    (a JSON document, JSON lines, or plain text such as an Aider log); and the findings per kind.

    For a transcript to be stored before it is read (an inline job), so no secret is written.
    """
    counts: Counter[str] = Counter()
    whole = _redact_json_text(text, counts)
    if whole is not None:
        return whole, counts
    lines = text.splitlines(keepends=True)
    first = next((line for line in lines if line.strip()), "")
    if _redact_json_text(first.strip(), Counter()) is None:
        found = redact(text)  # not JSON lines: text, redacted as one (a private key spans lines)
        counts.update(f.kind for f in found.findings)
        return found.text, counts
    out = []
    for line in lines:
        body = line.rstrip("\r\n")
        clean = _redact_json_text(body, counts) if body.strip() else body
        if clean is None:  # a broken line among JSON lines: text
            found = redact(body)
            counts.update(f.kind for f in found.findings)
            clean = found.text
        out.append(clean + line[len(body):])
    return "".join(out), counts


def redact_bytes(data: bytes) -> tuple[bytes, Counter[str]]:
    """A file's bytes with its secrets replaced when it is text (UTF-8, no NUL), and the findings per
    kind; a binary file, or a text file without secrets, keeps its bytes."""
    if b"\0" in data:
        return data, Counter()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, Counter()
    found = redact(text)
    if not found.findings:
        return data, Counter()
    return found.text.encode("utf-8"), Counter(f.kind for f in found.findings)


def _redact_file(data: bytes, counts: Counter[str]) -> bytes:
    clean, found = redact_bytes(data)
    counts.update(found)
    return clean


def redact_skill(skill: Skill) -> tuple[Skill, Counter[str], Counter[str]]:
    """A copy of `skill` with every secret replaced: in its text (description, body, tags, triggers,
    examples, license and compatibility, metadata, extension values, provenance) and in its text
    resource files. Also the findings per kind, in the text fields and in the files."""
    fields: Counter[str] = Counter()
    files: Counter[str] = Counter()

    def f(value: str | None) -> str | None:
        return _redact_field(value, fields)

    out = skill.copy()
    out.description = f(out.description) or ""
    out.instructions = f(out.instructions) or ""
    out.tags = [f(t) or "" for t in out.tags]
    out.triggers = [f(t) or "" for t in out.triggers]
    out.examples = [SkillExample(f(e.input) or "", f(e.output), f(e.notes)) for e in out.examples]
    out.license, out.compatibility, out.allowed_tools = f(out.license), f(out.compatibility), f(out.allowed_tools)
    out.metadata = redact_value(out.metadata, fields)
    out.extensions = redact_value(out.extensions, fields)
    out.provenance = [replace(p, quotes=[f(q) or "" for q in p.quotes], session_id=f(p.session_id))
                      for p in out.provenance]
    out.files = {rel: _redact_file(data, files) for rel, data in out.files.items()}
    return out, fields, files
