"""The MCP client's own model as a provider (MCP sampling).

The MCP server supplies `complete`: a blocking callable that asks the connected
client to sample, bridging from the worker thread to the server's event loop.
Keeping the seam this small is what lets the learning pipeline stay unaware of MCP.
"""

from __future__ import annotations

from collections.abc import Callable

from .provider import LLMError

SampleFn = Callable[[str, str, int, float], str]


class SamplingProvider:
    """A provider whose calls go to `complete(system, user, max_tokens, temperature)`."""

    def __init__(self, complete: SampleFn, *, model: str = "client", name: str = "sampling") -> None:
        self._complete = complete
        self.model = model
        self.name = name

    def complete(self, *, system: str, user: str, max_tokens: int = 2048, temperature: float = 0.0) -> str:
        try:
            text = self._complete(system, user, max_tokens, temperature)
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the client did, the pipeline sees one error type
            raise LLMError(f"sampling: the client could not answer ({type(exc).__name__}: {exc})") from exc
        if not isinstance(text, str) or not text.strip():
            raise LLMError("sampling: the client answered without text")
        return text
