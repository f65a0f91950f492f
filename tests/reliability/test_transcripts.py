"""Hostile transcripts through every reader and the offline learning pipeline: 0 uncaught exceptions.

Inputs are mutated copies of tests/fixtures/transcripts made in tmp_path (bench/hostile.py:
bytes, lines, a JSON value inside a record, a database row) and Hypothesis-generated files
(strategies.py). Each is read with its format detected and with every format forced, which
is what `read_transcript(path, format=...)` promises for any file: sessions, or a
TranscriptError that says why. Every session read is then learned from, offline.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoskill_mcp import LocalSkillStore
from autoskill_mcp.learning.pipeline import Learner
from autoskill_mcp.learning.session import Session
from autoskill_mcp.learning.transcripts import FORMATS, TranscriptError, detect_format, read_transcript
from bench import hostile

from .strategies import transcript_text

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.function_scoped_fixture])
ENTRIES = hostile.fixture_entries()


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Learner]:
    store = LocalSkillStore(tmp_path_factory.mktemp("home"), embeddings={"provider": "hashing", "dims": 256},
                            background=False)
    yield Learner(store)
    store.close()


def read_every_way(path: Path) -> list[Session]:
    """The sessions of every read that succeeds: detected, then each format forced."""
    problems: list[str] = []
    detect_format(path, problems=problems)
    assert all(isinstance(p, str) and p for p in problems)
    sessions: list[Session] = []
    for fmt in (None, *FORMATS):
        try:
            sessions += read_transcript(path, format=fmt)
        except TranscriptError as exc:
            assert str(exc)
    return sessions


def learn_all(learner: Learner, sessions: list[Session], user: str) -> None:
    for session in sessions:
        result = learner.learn(session, user_id=user)
        assert result.error is None, result.error  # the offline rules never fail on a session


def test_the_mutations_start_from_every_format_the_fixtures_hold() -> None:
    # No fixture is a plain Cline task or a ChatGPT export (Roo's task folders share Cline's reader,
    # and the generated documents include `mapping` exports); every format is forced on every input.
    assert len(ENTRIES) >= 40
    assert {detect_format(hostile.FIXTURES / e.rel) for e in ENTRIES} == set(FORMATS) - {"cline", "chatgpt-export"}


@settings(FAST, max_examples=100)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_fixture_transcripts(tmp_path_factory: pytest.TempPathFactory, learner: Learner, seed: int) -> None:
    path, _ = hostile.transcript(random.Random(seed), ENTRIES, tmp_path_factory.mktemp("mutated"))
    learn_all(learner, read_every_way(path), f"mutated-{seed % 5}")


@settings(FAST, max_examples=80)
@given(generated=transcript_text())
def test_generated_transcripts(tmp_path_factory: pytest.TempPathFactory, learner: Learner,
                               generated: tuple[str, bytes]) -> None:
    name, data = generated
    path = tmp_path_factory.mktemp("generated") / name
    path.write_bytes(data)
    learn_all(learner, read_every_way(path), "generated")
