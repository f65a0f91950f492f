"""The LLM rate limit holds across processes that share one store."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from autoskill_mcp.llm import provider_from_config
from autoskill_mcp.llm.rate_limit import RateLimited, RateLimiter

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from autoskill_mcp.llm.rate_limit import RateLimiter
    limiter = RateLimiter(Path(sys.argv[1]), 3, window=1.0)
    for _ in range(3):
        limiter.acquire()
        print(time.time(), flush=True)
""")


def test_two_processes_together_stay_under_the_limit(tmp_path: Path) -> None:
    state = tmp_path / "llm-rate.json"
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(state)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    stamps = sorted(float(line) for p in procs for line in p.communicate(timeout=60)[0].split())
    assert all(p.returncode == 0 for p in procs) and len(stamps) == 6
    # 6 calls at 3 per second: the 4th cannot start before the 1st's window closes.
    assert stamps[3] - stamps[0] >= 0.95, stamps
    assert stamps[5] - stamps[2] >= 0.95, stamps


def test_configured_provider_is_limited_unless_turned_off(tmp_path: Path, fake: Any) -> None:
    cfg = {"provider": "openai", "base_url": fake.base_url, "api_key": "k", "requests_per_minute": 2}
    limited = provider_from_config(cfg, env={}, home=tmp_path)
    assert isinstance(limited, RateLimited) and limited.name == "openai"
    assert limited.limiter.per_minute == 2 and limited.limiter.path == tmp_path / "llm-rate.json"
    limited.complete(system="s", user="u")
    assert fake.requests == 1 and (tmp_path / "llm-rate.json").exists()
    assert not isinstance(provider_from_config({**cfg, "requests_per_minute": 0}, env={}, home=tmp_path), RateLimited)
    assert not isinstance(provider_from_config(cfg, env={}), RateLimited)  # no store, no shared limit


def test_a_damaged_state_file_does_not_block(tmp_path: Path) -> None:
    state = tmp_path / "llm-rate.json"
    state.write_text("{not json")
    assert RateLimiter(state, 1).acquire() == 0.0
