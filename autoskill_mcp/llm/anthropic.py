"""Anthropic Messages API."""

from __future__ import annotations

from .provider import HTTPProvider, LLMError

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MODEL = "claude-haiku-4-5"
API_VERSION = "2023-06-01"


class AnthropicProvider(HTTPProvider):
    """`POST {base_url}/v1/messages`; the text blocks of the answer, joined."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str = DEFAULT_MODEL,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 60.0,
        retries: int = 2,
    ) -> None:
        headers = {"anthropic-version": API_VERSION}
        if api_key:
            headers["x-api-key"] = api_key
        super().__init__(model=model, base_url=base_url, headers=headers, timeout=timeout, retries=retries)

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str:
        payload = {
            "model": self.model,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        data = self._post("/v1/messages", payload)
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise LLMError(f"anthropic: the answer has no content blocks ({str(data)[:200]})")
        text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        if not text:
            raise LLMError("anthropic: the answer has no text block")
        return text
