"""Named OpenAI-compatible providers, and one's own provider by `connector = "module:function"`.

The seed's providers (DashScope/Qwen, GLM, InternLM) and the local servers people run (Ollama,
vLLM) all speak OpenAI's chat completions: a preset only fills in the base URL, the environment
variable that holds the key, and a default model, so `provider = "dashscope"` and the key in
`DASHSCOPE_API_KEY` is the whole configuration. `base_url`, `model` and `api_key` in the settings
(or `AUTOSKILL_LLM_*`) still win. A connector names a function that takes the settings dict and
returns any object with the provider's `complete(system=, user=, max_tokens=, temperature=)`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .openai_compat import OpenAIProvider
from .provider import Provider


@dataclass(frozen=True)
class Preset:
    """Where a named provider answers, where its key lives, and the model used when none is set."""

    base_url: str
    key_env: str | None
    model: str | None
    #: a cloud service needs its key; a local server (Ollama, vLLM) usually has none
    needs_key: bool = True


PRESETS: dict[str, Preset] = {
    "dashscope": Preset("https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY", "qwen-plus"),
    "glm": Preset("https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", "glm-4-flash"),
    "internlm": Preset("https://chat.intern-ai.org.cn/api/v1", "INTERNLM_API_KEY", "internlm3-latest"),
    "ollama": Preset("http://127.0.0.1:11434/v1", None, None, needs_key=False),
    "vllm": Preset("http://127.0.0.1:8000/v1", "VLLM_API_KEY", None, needs_key=False),
}
#: other names people use for the same services
ALIASES = {"qwen": "dashscope", "tongyi": "dashscope", "zhipu": "glm", "zhipuai": "glm", "bigmodel": "glm",
           "intern": "internlm", "puyu": "internlm"}


def preset_name(name: str) -> str | None:
    """The preset `name` means (an alias resolved), or None."""
    name = ALIASES.get(name, name)
    return name if name in PRESETS else None


def from_preset(name: str, cfg: Mapping[str, Any], env: Mapping[str, str], *, model: str | None,
                base_url: str | None, api_key: str | None, timeout: float) -> OpenAIProvider:
    """The OpenAI-compatible provider for preset `name`, the explicit settings winning over its defaults."""
    preset = PRESETS[name]
    key = api_key or (env.get(preset.key_env) if preset.key_env else None)
    if preset.needs_key and not key:
        raise ConfigError(f"llm provider {name!r} needs its key in {preset.key_env} (or api_key in [llm])")
    chosen = model or preset.model
    if not chosen:
        raise ConfigError(f"llm provider {name!r} needs a model: set model in [llm] (or AUTOSKILL_LLM_MODEL) to "
                          f"one the server has pulled or loaded")
    return OpenAIProvider(api_key=key, model=str(chosen), base_url=str(base_url or preset.base_url), timeout=timeout,
                          json_mode=bool(cfg.get("json_mode", True)))


def from_connector(spec: str, cfg: Mapping[str, Any]) -> Provider:
    """The provider `module:function` makes from the settings; a ConfigError that says what is wrong."""
    module_name, sep, func_name = spec.partition(":")
    if not sep or not module_name or not func_name:
        raise ConfigError(f"llm connector must be 'module:function', not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"llm connector {spec!r}: cannot import {module_name!r}: {exc}") from None
    make = getattr(module, func_name, None)
    if not callable(make):
        raise ConfigError(f"llm connector {spec!r}: {module_name} has no function {func_name!r}")
    provider = make(dict(cfg))
    if not callable(getattr(provider, "complete", None)):
        raise ConfigError(f"llm connector {spec!r} returned {type(provider).__name__}, which has no complete() method")
    if not hasattr(provider, "name"):
        try:
            provider.name = f"connector:{spec}"  # what results and logs call the extractor
        except AttributeError:
            pass
    return provider  # type: ignore[no-any-return]
