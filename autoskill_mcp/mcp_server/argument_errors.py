"""Tool arguments that fail validation, told to the client in plain words.

The SDK reports a rejected argument with pydantic's own text: model names, `[type=...,
input_type=...]` and a link to pydantic's site per error, none of which helps the model that
sent the call to correct it. This module turns that into one line per argument.
"""

from __future__ import annotations

from pydantic import ValidationError

_INPUT_OMITTED = frozenset({"missing"})


def plain_message(tool: str, exc: ValidationError) -> str:
    """`<tool>: invalid arguments: <arg>: <what is wrong> (got <value>)`, one clause per error."""
    parts: list[str] = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        what = str(err.get("msg", "invalid value"))
        if err.get("type") not in _INPUT_OMITTED and "input" in err:
            shown = repr(err["input"])
            what += f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
        parts.append(f"{where}: {what}")
    return f"{tool}: invalid arguments: " + "; ".join(parts)
