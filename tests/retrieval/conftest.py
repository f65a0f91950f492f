"""Shared helpers for the retrieval tests: a controllable slow embedder and skill-like docs."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from autoskill_mcp.retrieval import HashingEmbedder

# The repository carries its test data (tests/fixtures/SOURCES.md says where it came from).
FIXTURES = Path(os.environ.get("AUTOSKILL_RETRIEVAL_FIXTURES",
                               Path(__file__).resolve().parents[1] / "fixtures" / "retrieval"))

SKILL_DOCS: dict[str, str] = {
    "pdf-text": "pdf to text\nExtract plain text from PDF documents with pdftotext, keeping page order.",
    "k8s-deploy": "deploy kubernetes\nDeploy a service to a Kubernetes cluster with kubectl apply and helm charts.",
    "git-squash": "git squash\nSquash feature branch commits with git rebase --interactive before merging.",
    "py-tests": "pytest fixtures\nWrite pytest fixtures and parametrize tests for Python packages.",
    "dry-run": "safe migrations\nRun database migrations with --dry-run first, then apply them to production.",
    "csv-clean": "clean csv\nClean messy CSV files: normalise headers, strip whitespace, drop duplicate rows.",
    "docker-slim": "slim docker images\nBuild small Docker images with multi-stage builds and distroless bases.",
    "zh-log": "日志分析\n使用 Python 解析服务器日志文件，统计错误数量。",
}


class GatedEmbedder:
    """A non-cheap embedder whose load blocks until the test opens the gate."""

    provider = "gated"
    cheap = False

    def __init__(self, dims: int = 128, *, fail: bool = False, gate_open: bool = False) -> None:
        self._inner = HashingEmbedder(dims)
        self.dims = dims
        self.signature = f"gated:hash:{dims}"
        self.calibration = self._inner.calibration
        self.gate = threading.Event()
        if gate_open:
            self.gate.set()
        self.fail = fail
        self._loaded = False
        self.embedded: list[str] = []
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._loaded

    def load(self) -> None:
        self.gate.wait(timeout=30)
        if self.fail:
            raise RuntimeError("model file is corrupt")
        self._loaded = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        with self._lock:
            self.embedded.extend(texts)
        return self._inner.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


@pytest.fixture
def gated() -> GatedEmbedder:
    emb = GatedEmbedder()
    yield emb
    emb.gate.set()  # never leave a worker thread blocked


def metatool_path() -> Path:
    path = FIXTURES / "metatool.json"
    if not path.is_file():
        pytest.fail(f"MetaTool dev set not found at {path}: tests/fixtures/retrieval is part of the repository")
    return path
