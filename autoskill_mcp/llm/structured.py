"""JSON answers held to a schema: one try, one repair with the exact problem, then a clean failure.

Validation is `jsonschema`'s; its errors are reworded into one short line per
problem that names the JSON path (`$.steps[2].text`) and what is wrong, because
that line goes back to the model in the repair prompt and into the final error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for

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
    name = getattr(provider, "name", "llm")
    raise LLMError(f"{name}: the answer did not match the schema after one repair: {problem}")


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


def check(value: Any, schema: dict[str, Any], where: str = "$") -> Iterator[str]:
    """One message per violation of `schema` by `value`, each naming its JSON path below `where`."""
    seen: set[str] = set()
    for error in validator_for(schema)(schema).iter_errors(value):
        message = _describe(error, where)
        if message not in seen:
            seen.add(message)
            yield message


def _describe(error: ValidationError, root: str) -> str:
    where = root + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [k for k in expected if isinstance(error.instance, dict) and k not in error.instance]
        name = next((k for k in missing if repr(k) in error.message), missing[0] if missing else "?")
        return f"{where}.{name} is required"
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{where} must be {wanted}, not {type(error.instance).__name__}"
    if kind == "enum":
        return f"{where} must be one of {expected}"
    if kind == "maxLength":
        return f"{where} is longer than {expected} characters"
    if kind == "maxItems":
        return f"{where} has more than {expected} items"
    return f"{where}: {error.message}"
