"""The leak figure: more than 45 kinds of secret, planted in every transcript format the readers
support (in prose and in assignments, before every punctuation mark), sent down every path that
stores, logs or sends text: ingest offline and with the fake LLM, failed jobs, SDK upsert, import,
the MCP server's save_skill and ingest_transcript. Afterwards no piece of any planted secret is
in any file under any store folder (catalog.sqlite3 and its WAL included), in any log line of this
process or of the server, or in any request the fake LLM received. bench/leak_figure.py runs it;
`python bench/bench_redaction.py --leaks` prints it.
"""

from __future__ import annotations

from pathlib import Path

from autoskill_mcp.learning.transcripts import FORMATS
from bench.fake_llm import FakeLLM
from bench.leak_figure import run, table


def test_no_planted_secret_survives_anywhere(tmp_path: Path) -> None:
    with FakeLLM() as fake:
        figure = run(tmp_path, fake=fake)
    print(table(figure))
    assert figure.kinds >= 45
    assert figure.formats == sorted(FORMATS)
    for stage in figure.stages:
        assert stage.plants > 0 and stage.carried > 0, stage.name   # the carriers did carry the plants
        assert stage.store_leaks == {}, stage.name
    assert figure.log_leaks == {}
    assert figure.llm_requests > 0 and figure.llm_markers > 0  # the model saw the turns, redacted
    assert figure.llm_leaks == {}

