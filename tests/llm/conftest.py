"""The fake OpenAI-compatible / Anthropic server from bench/fake_llm.py, started per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.fake_llm import FakeLLM


@pytest.fixture
def fake() -> Iterator[Any]:
    with FakeLLM() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own keys must never make a test reach a real provider."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "AUTOSKILL_LLM_PROVIDER",
                "AUTOSKILL_LLM_MODEL", "AUTOSKILL_LLM_BASE_URL", "AUTOSKILL_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
