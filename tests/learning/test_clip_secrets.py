"""Readers clip long texts before redaction sees them: the cut must never keep half a secret."""

from __future__ import annotations

import json
from pathlib import Path

from autoskill_mcp import AutoSkill, AutoSkillConfig
from autoskill_mcp.learning.transcripts import read_transcript
from autoskill_mcp.learning.transcripts.fields import TEXT_LIMIT, TOOL_TEXT_LIMIT, clip
from bench.fake_llm import FakeLLM
from bench.secret_corpus import leaks, plants


def store_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def test_a_secret_cut_by_a_readers_text_limit_is_not_half_kept(tmp_path: Path) -> None:
    """Readers clip a long text before it is redacted: a token cut in two would no longer look like
    one, and its head would be learned from and sent to the model."""
    token = next(p for p in plants() if p.kind == "github_token")
    sentence, lead = "Look at the retry logic in the client. ", "Always deploy with "
    cut = 24  # the limit falls this far into the token: its head and 20 of its characters would be kept
    prompt = (sentence * (TEXT_LIMIT // len(sentence)))[:TEXT_LIMIT - len(lead) - cut] + f"{lead}{token.secret} ok."
    output = "y" * (TOOL_TEXT_LIMIT - cut - 1) + f" {token.secret} done"
    chat = {"messages": [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "run", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": output},
        {"role": "user", "content": "No, never use print. Always use the logging module."}]}
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(chat), encoding="utf-8")
    [session] = read_transcript(path)
    assert session.events[0].text.endswith("more characters cut]")  # the limit was reached
    assert leaks(json.dumps([e.text for e in session.events] + [e.tool.output for e in session.events if e.tool]
                            ).encode(), [token]) == {}
    with FakeLLM() as fake:
        for llm in ({"provider": "offline"}, {"provider": "openai", "base_url": fake.base_url, "api_key": "test",
                                              "model": "fake-model"}):
            home = tmp_path / llm["provider"]
            with AutoSkill(AutoSkillConfig(store={"provider": "local", "path": str(home)},
                                           embeddings={"provider": "hashing", "dims": 256}, llm=llm,
                                           default_user="alice")) as sdk:
                sdk.ingest_transcript(path, hint="learn how to deploy")
            assert leaks(store_bytes(home), [token]) == {}
        assert fake.requests > 0 and leaks(json.dumps(fake.bodies).encode(), [token]) == {}


def test_a_clip_falls_between_words_and_in_minified_json_between_values() -> None:
    assert clip("aaa bbb ccccccc", 9) == "aaa bbb \n… [7 more characters cut]"
    value = '{"a":"' + "b" * 50 + '","t":"ghp_abcdefgh"}'
    assert clip(value, 70).startswith(value[:value.index("ghp_")]) and "ghp_" not in clip(value, 70)
    assert clip("x" * 3000, 100).startswith("x" * 100)  # a blob with no boundary is cut where the limit is
