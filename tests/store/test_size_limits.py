"""A skill the store could not read back is refused where it comes in, with a clear error, and
nothing is stored: the read limit on SKILL.md (2 MiB) is also the write limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoskill_mcp import AutoSkill, AutoSkillConfig, LocalSkillStore, Skill
from autoskill_mcp.errors import InvalidInputError
from autoskill_mcp.learning.maintenance import Maintainer
from autoskill_mcp.store import ImportLimits, import_skill_dirs
from autoskill_mcp.store.local import MAX_SKILL_MD_BYTES

HASHING = {"provider": "hashing", "dims": 256}


def nothing_stored(home: Path) -> None:
    assert not (home / "Users").exists() or not any((home / "Users").rglob("SKILL.md"))
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        assert store.summaries(user_id="alice", scope="all") == []


def test_sdk_upsert_refuses_a_body_over_the_limit_and_stores_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)}, embeddings=HASHING,
                                   default_user="alice")) as sdk:
        with pytest.raises(InvalidInputError, match=r"SKILL\.md would be 10,485,\d+ bytes, over the 2,097,152-byte"):
            sdk.upsert(name="huge", description="Too big.", instructions="x" * (10 * 1024 * 1024))
        # under the limit in characters, over it in UTF-8 bytes
        with pytest.raises(InvalidInputError, match="over the 2,097,152-byte"):
            sdk.upsert(name="wide", description="Too big.", instructions="密" * (MAX_SKILL_MD_BYTES // 2))
        fits = sdk.upsert(name="fits", description="Just fits.", instructions="x" * (MAX_SKILL_MD_BYTES - 4096))
        assert sdk.store.get(fits.id) is not None  # and the store reads it back
        sdk.delete(fits.id)
    nothing_stored(home)


def test_a_batch_with_one_skill_over_the_limit_writes_none_of_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        small = Skill(name="small", description="Small.", instructions="ok", user_id="alice")
        big = Skill(name="big", description="Big.", instructions="y" * (3 * 1024 * 1024), user_id="alice")
        with pytest.raises(InvalidInputError, match="'big'"):
            store.save_many([small, big])
        with pytest.raises(InvalidInputError, match="over the 2,097,152-byte"):
            Maintainer(store).save_skill(big, user_id="alice")
    nothing_stored(home)


def test_an_import_skips_a_skill_over_the_limit_whatever_limits_it_was_given(tmp_path: Path) -> None:
    src, home = tmp_path / "src", tmp_path / "home"
    (src / "big").mkdir(parents=True)
    (src / "big" / "SKILL.md").write_text("---\nname: big\ndescription: Big.\n---\n" + "z" * (3 * 1024 * 1024))
    with LocalSkillStore(home, embeddings=HASHING, background=False) as store:
        report = import_skill_dirs(store, src, user_id="alice",
                                   limits=ImportLimits(max_skill_md_bytes=10 * 1024 * 1024))
        assert report.imported == [] and len(report.skipped) == 1
        assert "over the 2,097,152-byte limit" in report.skipped[0][1]
    nothing_stored(home)


def test_cli_import_reports_a_skill_over_the_limit_and_stores_nothing(tmp_path: Path) -> None:
    src, home = tmp_path / "src", tmp_path / "home"
    (src / "big").mkdir(parents=True)
    (src / "big" / "SKILL.md").write_text("---\nname: big\ndescription: Big.\n---\n" + "z" * (3 * 1024 * 1024))
    env = dict(os.environ, AUTOSKILL_HOME=str(home), AUTOSKILL_USER="alice")
    proc = subprocess.run([sys.executable, "-m", "autoskill_mcp.cli", "import", str(src), "--json",
                           "--embeddings", "hashing"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["imported"] == [] and "byte limit" in report["skipped"][0]["reason"]
    nothing_stored(home)
