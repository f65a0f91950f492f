"""OpenAI chat messages, in-memory message lists, ShareGPT and ChatGPT exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoskill_mcp.learning.session import Kind, Role
from autoskill_mcp.learning.transcripts import TranscriptError, detect_format, read_transcript, session_from_messages

from .conftest import fixture


def test_same_session_in_two_formats_has_the_same_prompts() -> None:
    [claude] = read_transcript(fixture("claude-code/fasthooks__sample_main_transcript.jsonl"))
    first, second = read_transcript(fixture("openai-chat/constructed__fasthooks_claude_session_as_openai_chat.jsonl"))
    assert [e.text for e in first.user_events()] == [e.text for e in claude.user_events()]
    claude_calls = [(e.tool.name, e.tool.call_id) for e in claude.events if e.kind is Kind.TOOL_CALL and e.tool]
    chat_calls = [(e.tool.name, e.tool.call_id) for e in first.events if e.kind is Kind.TOOL_CALL and e.tool]
    assert chat_calls == claude_calls
    assert second.events[0].kind is Kind.META and second.events[0].role is Role.SYSTEM
    [doc] = read_transcript(fixture("openai-chat/constructed__fasthooks_claude_session_as_openai_chat.json"))
    assert [e.text for e in doc.events] == [e.text for e in first.events]


def test_fine_tuning_jsonl_gives_one_session_per_line_with_tool_calls() -> None:
    sessions = read_transcript(fixture("openai-chat/ms-foundry__stock_toolcall_validation.jsonl"))
    assert len(sessions) == 10
    assert sessions[0].user_events()[0].text == ("Can you provide the highest and lowest trading price for "
                                                 "Goldman Sachs today?")
    [call] = [e.tool for e in sessions[0].events if e.kind is Kind.TOOL_CALL]
    assert (
        call and call.name == "get_last_nday_stock_price" and json.loads(call.input) == {"symbol": "GS", "period": "1d"}
    )


def test_session_from_messages_reads_parts_and_pairs_tool_results() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "what is in a.txt?"},
                                     {"type": "image_url", "image_url": {"url": "data:..."}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read", "arguments": "{\"path\": \"a.txt\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "hello"},
        {"role": "assistant", "content": "It says hello."},
    ]
    s = session_from_messages(messages)
    assert s.agent == "openai-chat" and s.session_id == session_from_messages(messages).session_id
    assert [e.kind for e in s.events] == [Kind.META, Kind.PROMPT, Kind.TOOL_CALL, Kind.TOOL_RESULT, Kind.REPLY]
    assert s.events[1].text == "what is in a.txt?"
    assert s.events[3].tool and (s.events[3].tool.name, s.events[3].tool.output) == ("read", "hello")
    named = session_from_messages(messages[:2], agent="my-bot", session_id="x1")
    assert (named.agent, named.session_id) == ("my-bot", "x1")
    with pytest.raises(TranscriptError):
        session_from_messages("not a list")  # type: ignore[arg-type]


def test_bare_message_list_and_sharegpt(tmp_path: Path) -> None:
    bare = tmp_path / "chat.json"
    bare.write_text(json.dumps([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]))
    assert detect_format(bare) == "openai-chat"
    assert [e.text for e in read_transcript(bare)[0].events] == ["hi", "hello"]
    share = tmp_path / "share.json"
    share.write_text(
        json.dumps({"conversations": [{"from": "human", "value": "sort this"}, {"from": "gpt", "value": "done"}]})
    )
    assert [(e.role, e.text) for e in read_transcript(share)[0].events] == [(Role.USER, "sort this"),
                                                                             (Role.ASSISTANT, "done")]


def chatgpt_node(node_id: str, parent: str | None, children: list[str], role: str | None, text: str = "",
                 **message: object) -> dict[str, object]:
    msg = None if role is None else {"id": node_id, "author": {"role": role}, "create_time": 1767225600.5,
                                     "content": {"content_type": "text", "parts": [text]}, **message}
    return {"id": node_id, "parent": parent, "children": children, "message": msg}


def test_chatgpt_export_follows_current_node_and_marks_the_edited_prompt(tmp_path: Path) -> None:
    mapping = {n["id"]: n for n in [
        chatgpt_node("root", None, ["sys"], None),
        chatgpt_node("sys", "root", ["u1"], "system", "", metadata={"is_visually_hidden_from_conversation": True}),
        chatgpt_node("u1", "sys", ["a1"], "user", "write a haiku about git"),
        chatgpt_node("a1", "u1", ["u2a", "u2b"], "assistant", "Commits fall like leaves"),
        chatgpt_node("u2a", "a1", ["a2a"], "user", "make it rhyme"),
        chatgpt_node("a2a", "u2a", [], "assistant", "abandoned answer"),
        chatgpt_node("u2b", "a1", ["a2b"], "user", "no rhyme, but mention rebase"),
        chatgpt_node("a2b", "u2b", [], "assistant", "Rebase the past"),
    ]}
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([{"title": "Git haiku", "create_time": 1767225600.0, "update_time": 1767229200.0,
                                 "conversation_id": "conv-1", "current_node": "a2b", "mapping": mapping}]))
    assert detect_format(path) == "chatgpt-export"
    [s] = read_transcript(path)
    assert (s.session_id, s.title, s.agent) == ("conv-1", "Git haiku", "chatgpt")
    assert [e.text for e in s.events] == ["write a haiku about git", "Commits fall like leaves",
                                          "no rhyme, but mention rebase", "Rebase the past"]
    [c] = s.corrections()
    assert (c.uid, c.correction) == ("u2b", "rewind")
    assert s.skipped["abandoned_branch"] == 2 and s.started_at and s.started_at.year == 2026
