"""Named OpenAI-compatible providers and `connector = "module:function"`, over real HTTP to the fake model."""

from __future__ import annotations

from typing import Any

import pytest

from autoskill_mcp.errors import ConfigError
from autoskill_mcp.llm.config import provider_from_config
from autoskill_mcp.llm.openai_compat import OpenAIProvider


@pytest.mark.parametrize(("name", "key_env", "base_url", "model"), [
    ("dashscope", "DASHSCOPE_API_KEY", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus"),
    ("qwen", "DASHSCOPE_API_KEY", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus"),
    ("glm", "ZHIPUAI_API_KEY", "https://open.bigmodel.cn/api/paas/v4", "glm-4-flash"),
    ("internlm", "INTERNLM_API_KEY", "https://chat.intern-ai.org.cn/api/v1", "internlm3-latest"),
])
def test_a_named_service_needs_only_its_key(name: str, key_env: str, base_url: str, model: str) -> None:
    p = provider_from_config({"provider": name}, env={key_env: "sk-test"})
    assert isinstance(p, OpenAIProvider) and (p.base_url, p.model) == (base_url, model)
    with pytest.raises(ConfigError, match=key_env):
        provider_from_config({"provider": name}, env={})


def test_a_local_server_preset_needs_a_model_and_no_key(fake: Any) -> None:
    with pytest.raises(ConfigError, match="needs a model"):
        provider_from_config({"provider": "ollama"}, env={})
    p = provider_from_config({"provider": "ollama", "model": "qwen2.5:7b"}, env={})
    assert isinstance(p, OpenAIProvider) and p.base_url == "http://127.0.0.1:11434/v1"
    local = provider_from_config({"provider": "vllm", "model": "my-model", "base_url": fake.base_url}, env={})
    assert local is not None
    local.complete(system="You are terse.", user="say hi")
    assert fake.bodies[-1]["model"] == "my-model" and "authorization" not in {k.lower() for k in fake.headers[-1]}


def test_a_connector_makes_ones_own_provider(fake: Any) -> None:
    p = provider_from_config({"connector": "tests.llm.connector_module:make", "base_url": fake.base_url,
                              "model": "mine", "extra_header": "42"}, env={})
    assert p is not None
    p.complete(system="You are terse.", user="say hi")
    headers = {k.lower(): v for k, v in fake.headers[-1].items()}
    assert fake.bodies[-1]["model"] == "mine" and headers["x-own-provider"] == "42"
    assert headers["authorization"] == "Bearer connector-key"


@pytest.mark.parametrize(("spec", "says"), [
    ("no-colon", "module:function"),
    ("tests.llm.no_such_module:make", "cannot import"),
    ("tests.llm.connector_module:missing", "no function"),
    ("tests.llm.connector_module:not_a_provider", "no complete"),
])
def test_a_bad_connector_is_a_clear_config_error(spec: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        provider_from_config({"connector": spec}, env={})


def test_an_unknown_provider_names_the_presets() -> None:
    with pytest.raises(ConfigError, match="dashscope, glm, internlm, ollama, vllm"):
        provider_from_config({"provider": "nope"}, env={})
