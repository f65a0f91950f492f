"""Answering stdio lines that are not JSON-RPC, which the MCP SDK drops without a word.

The SDK's stdio transport (`mcp.server.stdio.stdio_server`) turns a line it cannot validate
into an `Exception` on the read stream, and the server's dispatcher only logs it at debug
level: a client that sent a broken line (not JSON, a lone surrogate, JSON nested deeper than
the parser's limit) waits for an answer that never comes. JSON-RPC 2.0 wants `-32700 Parse
error` for text that is not JSON and `-32600 Invalid Request` for JSON that is not a request.
`answering` wraps the transport's read stream: such items are answered on the write stream
and never reach the dispatcher, everything else passes through untouched (its sender context
too), so the SDK's own transport keeps its stdin/stdout handling and nothing is patched.
"""

from __future__ import annotations

import json
import logging
from types import TracebackType
from typing import Any

import anyio
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

log = logging.getLogger(__name__)

_MAX_DETAIL = 200


def error_for(exc: Exception) -> JSONRPCError:
    """The JSON-RPC error answering a line the transport could not read as a message.

    The request id is given back when it can be read at all (a lone surrogate does not hide
    it from Python's JSON parser), so the client's request fails instead of waiting forever.
    """
    errors = exc.errors() if isinstance(exc, ValidationError) else []
    invalid_json = next((e for e in errors if e["type"] == "json_invalid"), None)
    if invalid_json is not None or not errors:
        raw = invalid_json.get("input") if invalid_json is not None else None
        detail = invalid_json["msg"] if invalid_json is not None else f"{type(exc).__name__}: {exc}"
        return _error(_id_in_text(raw), PARSE_ERROR, f"Parse error: {detail[:_MAX_DETAIL]}")
    obj = next((e["input"] for e in errors if isinstance(e.get("input"), dict)), None)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    detail = f"{where}: {first['msg']}" if where else first["msg"]
    return _error(_request_id(obj), INVALID_REQUEST,
                  f"Invalid Request: not a JSON-RPC 2.0 message ({detail[:_MAX_DETAIL]})")


def _error(request_id: int | str | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


def _id_in_text(raw: Any) -> int | str | None:
    if not isinstance(raw, str):
        return None
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return _request_id(obj)


def _request_id(obj: Any) -> int | str | None:
    value = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return value


class AnsweringReadStream:
    """The transport's read stream, minus the lines it could not read, which are answered here."""

    def __init__(self, inner: Any, write: Any) -> None:
        self._inner = inner
        self._write = write

    @property
    def last_context(self) -> Any:
        """The sender's context of the last message (the dispatcher runs its handler in it)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage:
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            answer = error_for(item)
            log.debug("answered a stdin line that is not JSON-RPC: %s", answer.error.message)
            await self._write.send(SessionMessage(answer))

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> AnsweringReadStream:
        return self

    async def __anext__(self) -> SessionMessage:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> AnsweringReadStream:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc_val: BaseException | None,
                        exc_tb: TracebackType | None) -> None:
        await self.aclose()


def answering(read_stream: Any, write_stream: Any) -> AnsweringReadStream:
    """Wrap a transport's read stream so unreadable lines are answered on its write stream."""
    return AnsweringReadStream(read_stream, write_stream)
