"""Providers over real HTTP against a fake server on 127.0.0.1: requests, retries, repair, clean failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autoskill_mcp.errors import ConfigError
from autoskill_mcp.llm import (
    AnthropicProvider,
    CallCounter,
    LLMError,
    OpenAIProvider,
    SamplingProvider,
    complete_json,
    provider_from_config,
)
from autoskill_mcp.llm.structured import parse_and_check

SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["action", "reason"],
    "properties": {"action": {"type": "string", "enum": ["merge", "add", "discard"]},
                   "reason": {"type": "string", "maxLength": 300}},
}
JUDGE = "You decide whether a candidate skill is the same capability as an existing one."


def test_openai_request_shape_and_answer(fake: Any) -> None:
    p = OpenAIProvider(api_key="sk-test", model="m1", base_url=fake.base_url)
    data = complete_json(p, system=JUDGE, user="{}", schema=SCHEMA)
    assert data == {"action": "add", "reason": "a distinct capability"}
    body, headers = fake.bodies[0], fake.headers[0]
    assert body["model"] == "m1" and body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert headers["authorization"] == "Bearer sk-test"


def test_anthropic_request_shape_and_answer(fake: Any) -> None:
    p = AnthropicProvider(api_key="ak-test", model="claude-x", base_url=fake.root)
    assert complete_json(p, system=JUDGE, user="{}", schema=SCHEMA)["action"] == "add"
    body, headers = fake.bodies[0], fake.headers[0]
    assert body["system"] == JUDGE and body["messages"] == [{"role": "user", "content": "{}"}]
    assert headers["x-api-key"] == "ak-test" and headers["anthropic-version"]


def test_rate_limit_and_server_errors_are_retried(fake: Any) -> None:
    fake.script = ["429", "500"]
    p = OpenAIProvider(api_key="k", base_url=fake.base_url, retries=2)
    assert complete_json(p, system=JUDGE, user="{}", schema=SCHEMA)["action"] == "add"
    assert fake.requests == 3


def test_auth_failure_is_not_retried_and_says_what_to_check(fake: Any) -> None:
    fake.script = ["401"]
    p = OpenAIProvider(api_key="sk-secret-value", base_url=fake.base_url)
    with pytest.raises(LLMError, match="check the API key") as info:
        p.complete(system="s", user="u")
    assert fake.requests == 1 and "sk-secret-value" not in str(info.value)


def test_one_repair_then_success_counts_two_calls(fake: Any) -> None:
    fake.script = ["bad-json"]
    counter = CallCounter()
    p = OpenAIProvider(api_key="k", base_url=fake.base_url)
    assert complete_json(p, system=JUDGE, user="{}", schema=SCHEMA, counter=counter)["action"] == "add"
    assert counter.calls == 2 == fake.requests
    repair = fake.bodies[1]["messages"][1]["content"]
    assert "could not be used: it is not a JSON object" in repair and '"enum"' in repair


def test_still_wrong_after_one_repair_is_a_clean_failure(fake: Any) -> None:
    fake.script = ["wrong-schema", "wrong-schema", "wrong-schema"]
    p = OpenAIProvider(api_key="k", base_url=fake.base_url)
    with pytest.raises(LLMError, match=r"after one repair: \$\.action is required"):
        complete_json(p, system=JUDGE, user="{}", schema=SCHEMA)
    assert fake.requests == 2


def test_unreachable_server_is_an_llm_error() -> None:
    p = OpenAIProvider(api_key="k", base_url="http://127.0.0.1:9/v1", retries=0, timeout=2)
    with pytest.raises(LLMError, match="cannot reach"):
        p.complete(system="s", user="u")


@pytest.mark.parametrize(("text", "problem"), [
    ('```json\n{"action": "add", "reason": "r"}\n```', None),
    ('Here: {"action": "add", "reason": "r"} done', None),
    ('{"action": "maybe", "reason": "r"}', "$.action must be one of"),
    ('{"action": "add", "reason": 3}', "$.reason must be string"),
    ('[1, 2]', "not a JSON object"),
    ('{"action": "add", "reason": "' + "x" * 301 + '"}', "longer than 300"),
])
def test_schema_check(text: str, problem: str | None) -> None:
    _, found = parse_and_check(text, SCHEMA)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_schema_problems_name_the_nested_field_and_what_is_wrong() -> None:
    schema: dict[str, Any] = {
        "type": "object", "required": ["steps"],
        "properties": {"steps": {"type": "array", "maxItems": 2, "items": {
            "type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}},
            "n": {"type": "integer"}},
    }
    _, found = parse_and_check('{"steps": [{"text": 1}, {}, {"text": "ok"}], "n": true}', schema)
    assert found is not None
    assert found.split("; ") == ["$.steps has more than 2 items", "$.steps[0].text must be string, not int",
                                 "$.steps[1].text is required", "$.n must be integer, not bool"]


def test_sampling_provider_wraps_client_failures() -> None:
    seen: list[tuple[str, str, int, float]] = []

    def ok(system: str, user: str, max_tokens: int, temperature: float) -> str:
        seen.append((system, user, max_tokens, temperature))
        return json.dumps({"action": "discard", "reason": "already there"})

    assert complete_json(SamplingProvider(ok), system=JUDGE, user="u", schema=SCHEMA)["action"] == "discard"
    assert seen == [(JUDGE, "u", 2048, 0.0)]

    def broken(*_: object) -> str:
        raise RuntimeError("client went away")

    with pytest.raises(LLMError, match="sampling: the client could not answer"):
        SamplingProvider(broken).complete(system="s", user="u")


def test_provider_from_config() -> None:
    assert provider_from_config({"provider": "auto"}, env={}) is None
    assert provider_from_config({"provider": "mock"}, env={"OPENAI_API_KEY": "k"}) is None
    p = provider_from_config({}, env={"OPENAI_API_KEY": "k"})
    assert isinstance(p, OpenAIProvider) and p.base_url == "https://api.openai.com/v1"
    a = provider_from_config({"provider": "auto"}, env={"ANTHROPIC_API_KEY": "k", "AUTOSKILL_LLM_MODEL": "c"})
    assert isinstance(a, AnthropicProvider) and a.model == "c"
    local = provider_from_config({"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "llama"}, env={})
    assert isinstance(local, OpenAIProvider) and local.model == "llama"
    assert provider_from_config({"provider": "anthropic"}, env={"AUTOSKILL_LLM_PROVIDER": "none"}) is None
    with pytest.raises(ConfigError, match="needs ANTHROPIC_API_KEY"):
        provider_from_config({"provider": "anthropic"}, env={})
    with pytest.raises(ConfigError, match="unknown llm provider"):
        provider_from_config({"provider": "gemini-magic"}, env={})


def test_numeric_settings_of_the_wrong_type_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'requests_per_minute' must be a number"):
        provider_from_config({"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "requests_per_minute": "lots"},
                             env={})
    with pytest.raises(ConfigError, match="'timeout' must be a number"):
        provider_from_config({"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "timeout": [1]}, env={})
