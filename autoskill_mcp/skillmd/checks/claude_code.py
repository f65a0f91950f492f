"""Values of Claude Code's extension keys (SKL052-SKL054), checked only in the claude-code profile.

Claude Code ignores a malformed option silently, so its booleans, choices and lists are
checked here, with the combinations that make an option (or the whole skill) inert.
"""

from __future__ import annotations

from typing import Any

from .context import CheckContext

_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}
_TRUE_WORDS = {"true", "yes", "on", "1"}


def check_claude_code(ctx: CheckContext) -> None:
    if not ctx.enabled("SKL052"):
        return
    data = ctx.data
    fields = ctx.parsed.fields

    def bad(key: str, problem: str) -> None:
        node = fields[key]
        ctx.emit("SKL052", node.value_range if node.source else node.key_range, key=key, problem=problem)

    for key in ("disable-model-invocation", "user-invocable", "background"):
        if key in data and not _is_bool(data[key]):
            bad(key, "must be true or false (also yes/no, on/off, 1/0)")
    choices = {
        "context": ("fork",),
        "effort": ("low", "medium", "high", "xhigh", "max"),
        "shell": ("bash", "powershell"),
    }
    for key, allowed in choices.items():
        if key in data and not (isinstance(data[key], str) and data[key] in allowed):
            bad(key, "must be one of: " + ", ".join(allowed))
    for key in ("paths", "arguments", "disallowed-tools"):
        if key in data and not _is_str_or_str_list(data[key]):
            bad(key, "must be a string or a list of strings")
    if "hooks" in data and not isinstance(data["hooks"], dict):
        bad("hooks", "must be a mapping of hook events")
    for key in ("model", "agent", "when_to_use"):
        if key in data and not isinstance(data[key], str):
            bad(key, "must be a string")
    forked = data.get("context") == "fork"
    for key in ("agent", "background"):
        if key in data and not forked:
            ctx.emit("SKL053", fields[key].key_range, key=key)
    if (
        _truthy(data.get("disable-model-invocation"))
        and "user-invocable" in data
        and _falsy(data["user-invocable"])
    ):
        ctx.emit("SKL054", fields["user-invocable"].key_range)


def _is_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.strip().lower() in _BOOL_WORDS


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE_WORDS if value is not None else False


def _falsy(value: Any) -> bool:
    return value is not None and _is_bool(value) and not _truthy(value)


def _is_str_or_str_list(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
