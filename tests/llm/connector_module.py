"""A provider of one's own, for `connector = "tests.llm.connector_module:make"`: the OpenAI client code pointed
at whatever `base_url` the settings give, with the settings' `extra_header` added to every request."""

from __future__ import annotations

from typing import Any

from autoskill_mcp.llm.openai_compat import OpenAIProvider


def make(cfg: dict[str, Any]) -> OpenAIProvider:
    provider = OpenAIProvider(api_key="connector-key", model=str(cfg.get("model", "own-model")),
                              base_url=str(cfg["base_url"]), retries=0)
    provider._headers["X-Own-Provider"] = str(cfg.get("extra_header", "yes"))  # noqa: SLF001 - our own provider
    return provider


def not_a_provider(cfg: dict[str, Any]) -> object:
    return object()
