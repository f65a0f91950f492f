"""Errors in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`), so OpenAI clients show them."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def openai_error(status: int, message: str, *, kind: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, details: dict[str, Any] | None = None) -> JSONResponse:
    """A JSON error response the official clients turn into their APIError subclass for `status`;
    `details` adds fields to the error object (the skill API's SKILL.md diagnostics)."""
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": code,
                                   **(details or {})}}, status_code=status)


def bad_request(message: str, *, param: str | None = None) -> JSONResponse:
    """400: the request itself is wrong (nothing was sent upstream)."""
    return openai_error(400, message, param=param, code="invalid_request")


class JsonBodyLimit:
    """The SDK's body limit (413 past `max_body` bytes, declared or streamed), answered in OpenAI's JSON error
    shape like every other refusal of `autoskill serve` (the SDK's own answer is plain text)."""

    def __init__(self, app: Any, max_body: int) -> None:
        from ..mcp_server.http import limit_body

        self.app = limit_body(app, max_body)
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        refused = False

        async def reshaped(message: dict[str, Any]) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 413 and not any(
                    k.lower() == b"content-type" and b"json" in v for k, v in message.get("headers", [])):
                refused = True  # the limit's own plain-text answer: replaced below, headers and body at once
                return
            if refused and message["type"] == "http.response.body":
                error = openai_error(413, f"the request body is over {self.max_body:,} bytes (--max-body); nothing "
                                          "was read or changed", code="body_too_large")
                await send({"type": "http.response.start", "status": 413, "headers": error.raw_headers})
                await send({"type": "http.response.body", "body": error.body})
                return
            await send(message)

        await self.app(scope, receive, reshaped)
