"""Writing YAML scalars that read back identically in PyYAML, strictyaml and the clients.

Everything we emit is either a plain scalar that provably resolves to the same
string, or a one-line double-quoted scalar. Double quotes never span lines, so a
value can never contain a line that looks like a ``---`` delimiter, and runs of
three hyphens are escaped (``\\x2D``) because skills-ref splits on the substring.
"""

from __future__ import annotations

import re

import yaml

_PLAIN_SAFE = re.compile(
    r"^[A-Za-z0-9_./($+^\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\"'`{}\[\]#]*$"
)
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x00": "\\0",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
    "\ufeff": "\\uFEFF",
}


def is_plain_safe(value: str) -> bool:
    """True when ``value`` can be written unquoted and reads back as the same string."""
    if not value or value != value.strip() or len(value) > 200:
        return False
    if not _PLAIN_SAFE.match(value) or ": " in value or " #" in value or value.endswith(":"):
        return False
    if "---" in value or "..." in value or ", " in value:
        return False
    try:
        return yaml.load(f"k: {value}\n", Loader=_LOADER) == {"k": value}
    except (yaml.YAMLError, ValueError):  # a timestamp with month 13: PyYAML's datetime raises ValueError
        return False


def double_quoted(value: str) -> str:
    """A one-line YAML double-quoted scalar for any string."""
    out: list[str] = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
            continue
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02X}")
        elif 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    text = "".join(out)
    # skills-ref splits the file on every "---" substring; break the runs up.
    text = re.sub(r"-{3,}", lambda m: "".join("\\x2D" if i % 3 == 2 else "-" for i in range(len(m[0]))), text)
    return f'"{text}"'


def scalar(value: str, *, quote: bool = False) -> str:
    """Plain when that is safe and allowed, else double-quoted."""
    if not quote and is_plain_safe(value):
        return value
    return double_quoted(value)


def key(name: str) -> str:
    """A mapping key, quoted only when it has to be."""
    return name if is_plain_safe(name) and not name.startswith("-") else double_quoted(name)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
