"""Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint over httpx.

For users who already run an embedding service (OpenAI, Azure-style gateways,
vLLM, Ollama, LM Studio): batched requests, timeouts, a couple of retries on
429/5xx and timeouts (autoskill_mcp.http_retry), and errors that name the URL, the status and what to check.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import numpy as np

from ..http_retry import send_with_retry
from .embedder_contract import EmbedderError, normalise_rows

__all__ = ["OpenAIEmbedder"]

log = logging.getLogger("autoskill_mcp.retrieval")

# Native sizes, so the signature and the vector index know dims without a probe call.
_KNOWN_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder:
    """Remote embeddings; `dims` is known up front or discovered by one probe in `load()`."""

    provider = "openai"
    cheap = False

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        api_key: str | None = None,
        dims: int | None = None,
        *,
        batch_size: int = 64,
        timeout: float = 30.0,
        max_retries: int = 2,
        calibration: tuple[float, float] = (0.15, 0.6),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        self._api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self._request_dims = int(dims) if dims else None
        self._dims: int | None = self._request_dims or _KNOWN_DIMS.get(model)
        self.batch_size = max(1, int(batch_size))
        self.timeout = float(timeout)
        self.max_retries = max(0, int(max_retries))
        self.calibration = calibration
        self._headers = dict(headers or {})
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        # The signature names what determines the vectors: endpoint, model, size.
        self.signature = f"openai:{self.base_url}:{model}:{self._request_dims or 'native'}"

    @property
    def dims(self) -> int:
        """Vector length (probes the endpoint once if the model is unknown)."""
        if self._dims is None:
            self.load()
        assert self._dims is not None
        return self._dims

    @property
    def ready(self) -> bool:
        """True once the vector size is known (no model to load)."""
        return self._dims is not None

    @property
    def endpoint(self) -> str:
        """The embeddings URL requests go to."""
        return self.base_url + "/embeddings"

    def load(self) -> None:
        """Learn `dims` by embedding one word, when the model is not a known one."""
        if self._dims is not None:
            return
        with self._lock:
            if self._dims is None:
                self._dims = int(self._request(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, requested `batch_size` texts at a time."""
        if not texts:
            return np.zeros((0, self._dims or 0), dtype=np.float32)
        parts = [
            self._request([t if t.strip() else " " for t in texts[i : i + self.batch_size]])
            for i in range(0, len(texts), self.batch_size)
        ]
        out = np.vstack(parts)
        if self._dims is None:
            self._dims = int(out.shape[1])
        elif out.shape[1] != self._dims:
            raise EmbedderError(
                f"{self.endpoint} returned {out.shape[1]}-d vectors for model {self.model!r}, expected {self._dims}; "
                "set 'dims' to the model's size"
            )
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One unit vector."""
        return self.embed([text])[0]

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Content-Type": "application/json", **self._headers}
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
            self._client = httpx.Client(timeout=timeout, headers=headers)
        return self._client

    def _request(self, batch: list[str]) -> np.ndarray:
        """One batch through the shared retry policy (http_retry); an EmbedderError naming what to check."""
        body: dict[str, Any] = {"model": self.model, "input": batch, "encoding_format": "float"}
        if self._request_dims:
            body["dimensions"] = self._request_dims
        try:
            resp = send_with_retry(lambda: self._http().post(self.endpoint, json=body), retries=self.max_retries,
                                   what=f"embedding request to {self.endpoint}", retry_on=(httpx.TimeoutException,))
        except httpx.TimeoutException as exc:
            raise EmbedderError(
                f"embedding request to {self.endpoint} timed out after {self.timeout:g} s; "
                "check the server or raise 'timeout'"
            ) from exc
        except httpx.HTTPError as exc:
            raise EmbedderError(
                f"cannot reach embedding server {self.endpoint}: {exc}; check 'base_url'"
            ) from exc
        if resp.status_code >= 400:
            raise EmbedderError(self._describe_error(resp))
        return self._parse(resp, len(batch))

    def _describe_error(self, resp: httpx.Response) -> str:
        detail = ""
        try:
            payload = resp.json()
            err = payload.get("error") if isinstance(payload, dict) else None
            detail = str(err.get("message") if isinstance(err, dict) else err or payload)
        except ValueError:
            detail = resp.text
        detail = " ".join(detail.split())[:300]
        hint = {
            401: "check 'api_key' / OPENAI_API_KEY",
            403: "check the key's permissions",
            404: f"check 'base_url' and that model {self.model!r} exists",
            429: "rate limited; retry later or lower 'batch_size'",
        }.get(resp.status_code,
              "server error; retry later" if resp.status_code >= 500 else "check the request settings")
        return (f"embedding request to {self.endpoint} failed with HTTP {resp.status_code}: "
                f"{detail or '(no body)'}; {hint}")

    def _parse(self, resp: httpx.Response, expected: int) -> np.ndarray:
        try:
            data = resp.json()["data"]
            items = sorted(data, key=lambda d: d.get("index", 0))
            matrix = np.asarray([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbedderError(
                f"{self.endpoint} answered HTTP {resp.status_code} without an OpenAI-style 'data' list of embeddings"
            ) from exc
        if matrix.ndim != 2 or matrix.shape[0] != expected:
            got = matrix.shape[0] if matrix.ndim else 0
            raise EmbedderError(f"{self.endpoint} returned {got} embeddings for {expected} inputs")
        return normalise_rows(matrix)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None
