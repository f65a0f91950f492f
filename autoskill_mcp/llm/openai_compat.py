"""OpenAI-compatible chat completions (OpenAI, Azure-style proxies, vLLM, Ollama, LM Studio, ...)."""

from __future__ import annotations

from typing import Any

from .provider import HTTPProvider, LLMError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"


class OpenAIProvider(HTTPProvider):
    """`POST {base_url}/chat/completions`, asking for a JSON object when `json_mode` is on."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str = DEFAULT_MODEL,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 60.0,
        retries: int = 2,
        json_mode: bool = True,
    ) -> None:
        super().__init__(model=model, base_url=base_url, timeout=timeout, retries=retries,
                         headers={"Authorization": f"Bearer {api_key}"} if api_key else {})
        self.json_mode = json_mode

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if self.json_mode:
            payload["response_format"] = {"type": "json_object"}
        data = self._post("/chat/completions", payload)
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"openai: the answer has no choices[0].message.content ({str(data)[:200]})") from exc
        if not isinstance(content, str):
            raise LLMError("openai: the answer's content is not text")
        return content
