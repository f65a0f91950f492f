"""LLM providers behind one small synchronous interface.

The learning pipeline asks for one thing: `complete(system=..., user=...) -> str`.
Providers: OpenAI-compatible chat completions and Anthropic Messages over httpx,
and the MCP client's own model (sampling) through `SamplingProvider`.
`complete_json` adds a strict JSON schema with one repair attempt.
"""

from __future__ import annotations

from .anthropic import AnthropicProvider
from .config import provider_from_config
from .openai_compat import OpenAIProvider
from .provider import CallCounter, LLMError, Provider
from .sampling import SamplingProvider
from .structured import complete_json

__all__ = [
    "AnthropicProvider",
    "CallCounter",
    "LLMError",
    "OpenAIProvider",
    "Provider",
    "SamplingProvider",
    "complete_json",
    "provider_from_config",
]
