"""Which provider the settings ask for.

Settings come from the `llm` dict (SDK argument or `[llm]` in `<home>/config.toml`)
and the environment: `AUTOSKILL_LLM_PROVIDER`, `AUTOSKILL_LLM_MODEL`,
`AUTOSKILL_LLM_BASE_URL`, `AUTOSKILL_LLM_API_KEY`, and the usual
`OPENAI_API_KEY` / `OPENAI_BASE_URL` / `ANTHROPIC_API_KEY`. With provider
`auto`, a provider is used only when a key or base URL says one is meant;
otherwise the learning pipeline runs its offline rules. Named OpenAI-compatible
services (`dashscope`, `glm`, `internlm`, `ollama`, `vllm`) and `connector =
"module:function"` are in presets.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .anthropic import AnthropicProvider
from .openai_compat import OpenAIProvider
from .presets import PRESETS, from_connector, from_preset, preset_name
from .provider import Provider
from .rate_limit import RateLimited, RateLimiter

OFFLINE = frozenset({"none", "mock", "offline", "rules"})
DEFAULT_PER_MINUTE = 30


def provider_from_config(cfg: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None,
                         home: Path | None = None) -> Provider | None:
    """The configured provider, or None for the offline extractor.

    With `home`, calls are limited to `requests_per_minute` (default 30) across every
    process on that store; `requests_per_minute = 0` turns the limit off.
    """
    provider = _provider(cfg, env=os.environ if env is None else env)
    per_minute = _number(cfg, "requests_per_minute", DEFAULT_PER_MINUTE)
    if provider is None or home is None or per_minute <= 0:
        return provider
    return RateLimited(provider, RateLimiter(Path(home) / "llm-rate.json", per_minute))


def _provider(cfg: Mapping[str, Any] | None, *, env: Mapping[str, str]) -> Provider | None:
    cfg = dict(cfg or {})
    name = str(env.get("AUTOSKILL_LLM_PROVIDER") or cfg.get("provider") or "auto").lower()
    if name in OFFLINE:
        return None
    model = env.get("AUTOSKILL_LLM_MODEL") or cfg.get("model")
    base_url = env.get("AUTOSKILL_LLM_BASE_URL") or cfg.get("base_url")
    api_key = env.get("AUTOSKILL_LLM_API_KEY") or cfg.get("api_key")
    timeout = _number(cfg, "timeout", 60.0)
    if cfg.get("connector"):
        return from_connector(str(cfg["connector"]), cfg)
    if (preset := preset_name(name)) is not None:
        return from_preset(preset, cfg, env, model=model, base_url=base_url, api_key=api_key, timeout=timeout)
    if name == "auto":
        if env.get("ANTHROPIC_API_KEY") and not env.get("OPENAI_API_KEY") and not base_url:
            name = "anthropic"
        elif api_key or base_url or env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
            name = "openai"
        else:
            return None
    if name in ("openai", "openai-compatible", "openai_compatible"):
        kwargs: dict[str, Any] = {"timeout": timeout, "json_mode": bool(cfg.get("json_mode", True))}
        if model:
            kwargs["model"] = str(model)
        url = base_url or env.get("OPENAI_BASE_URL")
        if url:
            kwargs["base_url"] = str(url)
        key = api_key or env.get("OPENAI_API_KEY")
        if not key and not url:
            raise ConfigError(
                "llm provider 'openai' needs OPENAI_API_KEY (or api_key), or a base_url for a local server"
            )
        return OpenAIProvider(api_key=key, **kwargs)
    if name in ("anthropic", "claude"):
        key = api_key or env.get("ANTHROPIC_API_KEY")
        if not key:
            raise ConfigError("llm provider 'anthropic' needs ANTHROPIC_API_KEY (or api_key)")
        kwargs = {"timeout": timeout}
        if model:
            kwargs["model"] = str(model)
        if base_url:
            kwargs["base_url"] = str(base_url)
        return AnthropicProvider(api_key=key, **kwargs)
    raise ConfigError(f"unknown llm provider {name!r}: use openai, anthropic, {', '.join(PRESETS)}, auto or none "
                      "(or connector = \"module:function\")")


def _number(cfg: Mapping[str, Any] | None, key: str, default: float) -> Any:
    """A numeric setting, or a ConfigError that names it (never a bare ValueError)."""
    value = (cfg or {}).get(key, default)
    try:
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"llm setting {key!r} must be a number, not {value!r}") from exc
