"""Fixtures for `autoskill serve`: a fake upstream, a seeded store, the proxy as a real subprocess."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoskill_mcp.sdk import AutoSkill
from tests.mcp_server.helpers import PYTHON, REPO, USER, config, server_env
from tests.serve import fake_upstream
from tests.serve.fake_upstream import FakeUpstream

#: the upstream key the proxy reads from its environment; it must never come back or be logged
UPSTREAM_KEY = "sk-upstream-SECRET-3f9a1c7e5b2d4a6f8e0c"
KEY_ENV = "FAKE_UPSTREAM_KEY"
DEADLINE = 60.0


def seed(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with AutoSkill(config(home)) as sdk:
        sdk.upsert(name="pytest-fixtures", description="Write pytest fixtures with tmp_path and monkeypatch.",
                   instructions="# Pytest fixtures\n\n1. Prefer tmp_path over tempfile.\n2. Yield, then clean up.",
                   tags=["python", "testing"])
        sdk.upsert(name="release-checklist", description="Cut a release: changelog, tag, publish.",
                   instructions="# Release\n\n1. Update CHANGELOG.md\n2. Tag\n3. Publish")
        sdk.upsert(name="bob-deploy-billing", description="Deploy the billing cluster with pytest fixtures checks.",
                   instructions="# Deploy\n\nbob only", user_id="bob")


def write_config(home: Path, upstream: str | None, extra: str = "") -> None:
    proxy = f'[proxy]\nupstream = "{upstream}"\napi_key_env = "{KEY_ENV}"\n' if upstream else ""
    (home / "config.toml").write_text(f'[embeddings]\nprovider = "hashing"\ndims = 256\n\n{proxy}{extra}',
                                      encoding="utf-8")


class ProxyProcess:
    """`python -m autoskill_mcp serve --port 0` on `home`; stderr goes to a file the tests read."""

    def __init__(self, home: Path, log: Path, *extra: str) -> None:
        self.home = home
        self.log = log
        env = {**server_env(home, USER), KEY_ENV: UPSTREAM_KEY}
        self._err = log.open("wb")
        self.proc = subprocess.Popen([PYTHON, "-m", "autoskill_mcp", "serve", "--port", "0", *extra], env=env,
                                     cwd=REPO, stdout=subprocess.DEVNULL, stderr=self._err)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = re.search(r"serving the OpenAI-compatible proxy on (http://[^/\s]+)/v1", self.stderr())
            if found:
                self.base = found.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"autoskill serve did not start: {self.stderr()}")

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        wait_for(lambda: httpx.get(self.base + "/health", timeout=5).json()["store_ready"], "the store to open")

    def stop(self, sig: Any = None) -> int:
        if self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._err.close()
        return code


def wait_for(check: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll `check` until it returns something truthy, failing after `deadline` seconds."""
    end = time.monotonic() + deadline
    last: Exception | None = None
    while time.monotonic() < end:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - not there yet
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    fake = fake_upstream.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[ProxyProcess]:
    root = tmp_path_factory.mktemp("serve")
    home = root / "home"
    seed(home)
    write_config(home, upstream.url, "min_score = 0.05\n")
    srv = ProxyProcess(home, root / "serve.log")
    srv.wait_ready()
    yield srv
    assert srv.stop() == 0, srv.stderr()
