"""Anthropic Messages API."""

from __future__ import annotations

import httpx

from .provider import LLMError, post_json

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MODEL = "claude-haiku-4-5"
API_VERSION = "2023-06-01"


class AnthropicProvider:
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
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self._headers = {"anthropic-version": API_VERSION}
        if api_key:
            self._headers["x-api-key"] = api_key
        self._client = httpx.Client(timeout=timeout)

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str:
        payload = {
            "model": self.model,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        data = post_json(self._client, f"{self.base_url}/v1/messages", payload,
                         headers=self._headers, retries=self.retries, what="anthropic")
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise LLMError(f"anthropic: the answer has no content blocks ({str(data)[:200]})")
        text = "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
        if not text:
            raise LLMError("anthropic: the answer has no text block")
        return text

    def close(self) -> None:
        self._client.close()
