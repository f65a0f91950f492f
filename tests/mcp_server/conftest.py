from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import seed


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    seed(h)
    return h
