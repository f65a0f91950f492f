"""JSON answers held to a schema: one try, one repair with the exact problem, then a clean failure.

The validator covers the JSON-schema subset our prompts use (object, array,
string, number, integer, boolean; required, enum, maxLength, maxItems, items,
properties). A full validator would be another dependency for no gain here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .provider import CallCounter, LLMError, Provider

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n\s*```\s*$", re.S)

REPAIR = ("Your previous answer could not be used: {problem}\n"
          "Answer again with one JSON object only, no prose and no code fence, matching this schema:\n{schema}")


def complete_json(
    provider: Provider,
    *,
    system: str,
    user: str,
    schema: dict[str, Any],
    max_tokens: int = 2048,
    temperature: float = 0.0,
    counter: CallCounter | None = None,
) -> dict[str, Any]:
    """The provider's answer parsed and validated against `schema`.

    Raises LLMError when the provider fails or the repaired answer is still unusable.
    """
    counter = counter if counter is not None else CallCounter()
    counter.calls += 1
    answer = provider.complete(system=system, user=user, max_tokens=max_tokens, temperature=temperature)
    data, problem = parse_and_check(answer, schema)
    if problem is None:
        return data
    counter.calls += 1
    repair_user = (f"{user}\n\n---\nYour previous answer:\n{answer[:4000]}\n\n"
                   + REPAIR.format(problem=problem, schema=json.dumps(schema)))
    answer = provider.complete(system=system, user=repair_user, max_tokens=max_tokens, temperature=temperature)
    data, problem = parse_and_check(answer, schema)
    if problem is None:
        return data
    raise LLMError(f"{getattr(provider, 'name', 'llm')}: the answer did not match the schema after one repair: {problem}")


def parse_and_check(text: str, schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(data, None) when `text` holds a JSON object matching `schema`, else ({}, what is wrong)."""
    data = _parse(text)
    if data is None:
        return {}, "it is not a JSON object"
    problems = list(check(data, schema, "$"))
    return (data, None) if not problems else ({}, "; ".join(problems[:5]))


def _parse(text: str) -> dict[str, Any] | None:
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    text = text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        # Prose around one object: take the outermost braces.
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            return None
        try:
            data = json.loads(text[start:end + 1])
        except ValueError:
            return None
    return data if isinstance(data, dict) else None


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "number": (int, float), "integer": (int,),
}


def check(value: Any, schema: dict[str, Any], where: str):  # type: ignore[no-untyped-def]
    """Yields one message per violation of `schema` by `value` at JSON path `where`."""
    kind = schema.get("type")
    if kind:
        ok = isinstance(value, _TYPES[kind]) and not (kind in ("number", "integer") and isinstance(value, bool))
        if not ok:
            yield f"{where} must be {kind}, not {type(value).__name__}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where} must be one of {schema['enum']}"
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        yield f"{where} is longer than {schema['maxLength']} characters"
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            yield f"{where} has more than {schema['maxItems']} items"
        items = schema.get("items")
        if items:
            for i, item in enumerate(value):
                yield from check(item, items, f"{where}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield f"{where}.{key} is required"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                yield from check(value[key], sub, f"{where}.{key}")
