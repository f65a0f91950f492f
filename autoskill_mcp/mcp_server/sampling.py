"""Extraction with the client's own model: a blocking `complete` over MCP sampling.

The queue worker runs on a thread; the client session lives on the server's
event loop. `SamplingBridge` is the `complete(system, user, max_tokens,
temperature) -> str` callable `llm.sampling.SamplingProvider` wraps: it runs
`create_message` on the loop from the worker thread and waits for the answer.
Sampling exists only on 2025-era connections (2026-07-28 has no server-to-client
requests), so only legacy clients that declared the capability are asked.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import anyio.from_thread
from anyio.lowlevel import EventLoopToken

log = logging.getLogger(__name__)

#: a sampling request the client's user must approve can take a while
SAMPLING_TIMEOUT = 300.0


class SamplingBridge:
    """Calls `session.create_message` on the server's loop from a worker thread."""

    def __init__(self, session: Any, token: EventLoopToken, *,
                 timeout: float = SAMPLING_TIMEOUT) -> None:
        self.session = session
        self._token = token
        self.timeout = timeout

    def __call__(self, system: str, user: str, max_tokens: int, temperature: float) -> str:
        return anyio.from_thread.run(self._sample, system, user, max_tokens, temperature, token=self._token)

    async def _sample(self, system: str, user: str, max_tokens: int, temperature: float) -> str:
        from mcp.types import SamplingMessage, TextContent

        with anyio.fail_after(self.timeout), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sampling is deprecated in 2026-07-28; we only use it on legacy links
            result = await self.session.create_message(
                [SamplingMessage(role="user", content=TextContent(type="text", text=user))],
                max_tokens=max_tokens, system_prompt=system, temperature=temperature,
                include_context="none",
            )
        content = result.content
        items = content if isinstance(content, list) else [content]
        text = "".join(getattr(c, "text", "") for c in items if getattr(c, "type", "") == "text")
        if not text.strip():
            raise RuntimeError("the client's sampling answer held no text")
        return text


def sampling_provider(bridge: SamplingBridge) -> Any:
    """The learning pipeline's provider over a bridge (None when the llm package lacks sampling)."""
    try:
        from ..llm.sampling import SamplingProvider
    except ImportError:
        log.warning("autoskill_mcp.llm.sampling is unavailable; not extracting through the client")
        return None
    return SamplingProvider(bridge, model="client", name="sampling")
