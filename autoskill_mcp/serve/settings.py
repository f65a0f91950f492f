"""What `autoskill serve` was asked to do: the listening address, the upstream, retrieval and extraction.

Each value comes from the command line, else the `[proxy]` table of the store's config.toml,
else the defaults below. The HTTP security settings are the MCP server's (`McpSettings`), so
Host/Origin checks, tokens and the body limit mean the same on both endpoints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ConfigError
from ..mcp_server.settings import McpSettings
from .query import REWRITE_MODES, SELECT_MODES, RewriteMode, SelectMode

ExtractMode = Literal["auto", "always", "never"]
EXTRACT_MODES: tuple[ExtractMode, ...] = ("auto", "always", "never")

DEFAULT_PORT = 9000
#: skills injected at most per request
DEFAULT_TOP_K = 3
#: hits scoring below this are not injected (calibrated fused scores, 0..1)
DEFAULT_MIN_SCORE = 0.25
#: the injected system message stays within this many tokens (estimated as context.py does)
DEFAULT_BUDGET = 1500
#: ... and within this many characters
DEFAULT_MAX_CHARS = 6000
#: `auto` queues a conversation once it has this many user turns
DEFAULT_EXTRACT_TURN_LIMIT = 2
#: how long a request to the upstream may take (seconds; streams: between two chunks)
DEFAULT_UPSTREAM_TIMEOUT = 600.0


@dataclass
class ServeSettings:
    """One proxy process. `http` carries the store options and the HTTP security shared with /mcp."""

    http: McpSettings = field(default_factory=lambda: McpSettings(port=DEFAULT_PORT))
    #: the upstream's OpenAI base URL, `/v1` included (like the OpenAI SDK's base_url); None: not configured
    upstream: str | None = None
    #: the environment variable holding the upstream's API key (never sent anywhere but upstream)
    api_key_env: str | None = None
    #: model names `/v1/models` lists instead of asking the upstream
    served_models: list[str] = field(default_factory=list)
    top_k: int = DEFAULT_TOP_K
    min_score: float = DEFAULT_MIN_SCORE
    budget: int = DEFAULT_BUDGET
    max_chars: int = DEFAULT_MAX_CHARS
    extract_mode: ExtractMode = "auto"
    extract_turn_limit: int = DEFAULT_EXTRACT_TURN_LIMIT
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT
    #: the search query: the latest message, or a rewrite of the recent turns (serve/query.py)
    rewrite_mode: RewriteMode = "auto"
    #: `llm`: the configured LLM picks which retrieved skills are injected
    select_mode: SelectMode = "never"
    #: also serve the MCP endpoint (at `http.path`) from this process
    mcp: bool = True

    def api_key(self) -> str | None:
        """The upstream key, read from the environment at each use (rotating it needs no restart)."""
        import os

        return os.environ.get(self.api_key_env) if self.api_key_env else None


def apply_file(settings: ServeSettings, table: dict[str, Any], *, explicit: set[str]) -> ServeSettings:
    """Fill `settings` from config.toml's `[proxy]` table; fields in `explicit` (given on the command line) win."""
    known = {"upstream": str, "api_key_env": str, "served_models": list, "top_k": int, "min_score": float,
             "budget": int, "max_chars": int, "extract_mode": str, "extract_turn_limit": int,
             "upstream_timeout": float, "rewrite_mode": str, "select_mode": str}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"config.toml [proxy]: unknown key {key!r} (known: {', '.join(sorted(known))})")
        if key in explicit:
            continue
        kind = known[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            wanted = {str: "a string", int: "a whole number", float: "a number", list: "a list"}[kind]
            raise ConfigError(f"config.toml [proxy]: {key} must be {wanted}, not {value!r}")
        setattr(settings, key, value)
    return check(settings)


def check(settings: ServeSettings) -> ServeSettings:
    """Refuse values that would misbehave later (a bad mode, a negative budget) with a message naming them."""
    for name, modes in (("extract_mode", EXTRACT_MODES), ("rewrite_mode", REWRITE_MODES),
                        ("select_mode", SELECT_MODES)):
        if getattr(settings, name) not in modes:
            raise ConfigError(f"{name} must be one of {', '.join(modes)}, not {getattr(settings, name)!r}")
    for name in ("top_k", "budget", "max_chars", "extract_turn_limit"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name} must be at least 1")
    if not (0.0 <= settings.min_score <= 1.0):
        raise ConfigError("min_score must be from 0 to 1")
    if not (math.isfinite(settings.upstream_timeout) and settings.upstream_timeout > 0):
        raise ConfigError("upstream_timeout must be a number of seconds greater than 0")
    if not all(isinstance(m, str) and m for m in settings.served_models):
        raise ConfigError("served_models must be a list of model names")
    if settings.upstream is not None:
        url = settings.upstream.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"upstream must be an http(s) URL, not {settings.upstream!r}")
        settings.upstream = url
    return settings
