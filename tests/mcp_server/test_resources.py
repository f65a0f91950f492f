"""SEP-2640 resources, skills/list + skills/get, prompts, and the byte-budgeted catalogue."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
import yaml
from mcp import Client
from mcp.shared.exceptions import MCPError

from autoskill_mcp.mcp_server import skill_files as sf
from autoskill_mcp.mcp_server.discovery import CatalogueEntry, render_catalogue
from autoskill_mcp.mcp_server.server import AutoSkillServer

from .helpers import PNG, all_skills, settings, skills_get, skills_list

pytestmark = pytest.mark.anyio


def lib_skill(root: Path, name: str, files: dict[str, bytes] | None = None, extra: str = "") -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: Library skill {name}.\n{extra}---\n# {name}\n")
    for rel, data in (files or {}).items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data)
    return d


async def read_bytes(c: Client, uri: str) -> tuple[bytes, str]:
    item = (await c.read_resource(uri)).contents[0]
    if getattr(item, "text", None) is not None:
        return item.text.encode("utf-8"), item.mime_type
    return base64.b64decode(item.blob), item.mime_type


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_every_file_is_a_skill_resource_with_exact_bytes(home: Path, mode: str) -> None:
    async with Client(AutoSkillServer(settings(home)), mode=mode, raise_exceptions=True) as c:
        res = {r.uri: r for r in (await c.list_resources()).resources}
        assert {"skill://pytest-fixtures/SKILL.md", "skill://pytest-fixtures/references/examples.md",
                "skill://pytest-fixtures/assets/logo.png", "skill://shared-style/SKILL.md"} <= set(res)
        assert not any("bob-secret-deploy" in u for u in res)
        assert res["skill://pytest-fixtures/SKILL.md"].mime_type == "text/markdown"
        assert res["skill://pytest-fixtures/SKILL.md"].description.startswith("Write pytest fixtures")
        assert res["skill://pytest-fixtures/assets/logo.png"].mime_type == "image/png"
        data, mime = await read_bytes(c, "skill://pytest-fixtures/assets/logo.png")
        assert data == PNG and mime == "image/png"
        on_disk = (home / "Users" / "alice" / "pytest-fixtures" / "SKILL.md").read_bytes()
        assert (await read_bytes(c, "skill://pytest-fixtures/SKILL.md"))[0] == on_disk
        for bad in ("skill://bob-secret-deploy/SKILL.md", "skill://nope/SKILL.md",
                    "skill://pytest-fixtures/../x", "skill://pytest-fixtures/missing.md", "file:///etc/passwd"):
            with pytest.raises(MCPError) as err:
                await c.read_resource(bad)
            assert err.value.error.code == -32602, bad
        assert err.value.error.message == "Unknown resource: file:///etc/passwd"
        assert err.value.error.data == {"uri": "file:///etc/passwd"}
        assert (await c.list_resource_templates()).resource_templates == []


async def test_resources_list_paginates(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home, page_size=2)), raise_exceptions=True) as c:
        uris: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = await c.list_resources(cursor=cursor) if cursor else await c.list_resources()
            uris += [r.uri for r in page.resources]
            pages += 1
            cursor = page.next_cursor
            if not cursor:
                break
        assert pages >= 3 and len(uris) == len(set(uris)) == 6


async def test_skills_list_and_get_match_the_bytes_read(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        assert "io.modelcontextprotocol/skills" in (c.server_capabilities.extensions or {})
        page = await skills_list(c)
        assert page["resultType"] == "complete" and "ttlMs" in page and page["cacheScope"] == "private"
        entries = {e["uri"]: e for e in await all_skills(c)}
        assert set(entries) == {"skill://pytest-fixtures/SKILL.md", "skill://git-commit-messages/SKILL.md",
                                "skill://release-checklist/SKILL.md", "skill://shared-style/SKILL.md"}
        entry = entries["skill://pytest-fixtures/SKILL.md"]
        assert [r["uri"] for r in entry["resources"]][0] == "skill://pytest-fixtures/SKILL.md"
        for item in entry["resources"]:
            data, _ = await read_bytes(c, item["uri"])
            assert item["digest"] == "sha256:" + hashlib.sha256(data).hexdigest() and item["size"] == len(data)
        md, _ = await read_bytes(c, entry["uri"])
        assert entry["frontmatter"] == yaml.safe_load(md.decode().split("---\n")[1])
        assert entry["_meta"]["io.autoskill/skill"]["version"] == "0.1.0"
        got = await skills_get(c, "skill://pytest-fixtures/SKILL.md")
        assert got["skill"] == entry and got["resultType"] == "complete"
        for unknown in ("skill://nope/SKILL.md", "skill://bob-secret-deploy/SKILL.md",
                        "skill://pytest-fixtures/references/examples.md", "file:///etc/passwd"):
            with pytest.raises(MCPError) as err:
                await skills_get(c, unknown)
            assert err.value.error.code == -32602, unknown


async def test_legacy_clients_have_no_skills_methods_but_read_resources(home: Path) -> None:
    async with Client(AutoSkillServer(settings(home)), mode="legacy", raise_exceptions=True) as c:
        assert not (c.server_capabilities.extensions or {})
        with pytest.raises(MCPError) as err:
            await skills_list(c)
        assert err.value.error.code == -32601
        assert (await read_bytes(c, "skill://release-checklist/SKILL.md"))[0].startswith(b"---\n")


async def test_skills_over_the_limits_are_not_published(home: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib_skill(lib, "huge-skill", {f"f/{i}.txt": b"x" for i in range(sf.MAX_FILES)})
    lib_skill(lib, "small-skill", {"notes.bin": b"\x00\x01\xff"}, extra="license: MIT\nmetadata:\n  author: me\n")
    async with Client(AutoSkillServer(settings(home, library_dirs=[lib])), raise_exceptions=True) as c:
        uris = {e["uri"] for e in await all_skills(c)}
        assert "skill://small-skill/SKILL.md" in uris and "skill://huge-skill/SKILL.md" not in uris
        with pytest.raises(MCPError) as err:
            await skills_get(c, "skill://huge-skill/SKILL.md")
        assert err.value.error.code == -32602 and "limit" in err.value.error.message
        small = (await skills_get(c, "skill://small-skill/SKILL.md"))["skill"]
        assert small["frontmatter"] == {"name": "small-skill", "description": "Library skill small-skill.",
                                        "license": "MIT", "metadata": {"author": "me"}}
        data, mime = await read_bytes(c, "skill://small-skill/notes.bin")
        assert data == b"\x00\x01\xff" and mime == "application/octet-stream"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_one_prompt_per_skill(home: Path, mode: str) -> None:
    async with Client(AutoSkillServer(settings(home)), mode=mode, raise_exceptions=True) as c:
        names = {p.name for p in (await c.list_prompts()).prompts}
        assert names == {"pytest-fixtures", "git-commit-messages", "release-checklist", "shared-style"}
        p = await c.get_prompt("release-checklist", {"task": "ship 1.2.0"})
        text = p.messages[0].content.text
        assert "Update CHANGELOG.md" in text and text.endswith("Task: ship 1.2.0")
        with pytest.raises(MCPError):
            await c.get_prompt("bob-secret-deploy", {})


def test_catalogue_fits_the_budget_and_counts_the_rest() -> None:
    entries = [CatalogueEntry(f"skill-number-{i:03d}", "Does a thing " * 20) for i in range(300)]
    text = render_catalogue(entries)
    assert len(text.encode("utf-8")) <= 1900
    assert "- skill-number-000: " in text and "Also: " in text
    assert text.rstrip().endswith("more: search to find them.")
    shown = text.count("skill-number-")
    rest = int(text.rsplit("…and ", 1)[1].split()[0])
    assert shown + rest == 300
    small = render_catalogue([CatalogueEntry("a", "b")])
    assert "- a: b" in small and "more" not in small
    assert "No skills" in render_catalogue([])
    wide = render_catalogue([CatalogueEntry(f"名前-{i}", "説明" * 100) for i in range(50)])
    assert len(wide.encode("utf-8")) <= 1900


async def test_a_users_own_skill_shadows_a_shared_one_of_the_same_name(home: Path) -> None:
    from autoskill_mcp.sdk import AutoSkill

    from .helpers import config

    with AutoSkill(config(home)) as sdk:
        sdk.upsert(name="pytest-fixtures", description="The team's shared fixtures guide.",
                   instructions="# Shared", scope="shared")
    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        uris = [r.uri for r in (await c.list_resources()).resources]
        assert uris.count("skill://pytest-fixtures/SKILL.md") == 1
        data, _ = await read_bytes(c, "skill://pytest-fixtures/SKILL.md")
        assert b"tmp_path and monkeypatch" in data and b"shared fixtures guide" not in data
        entry = (await skills_get(c, "skill://pytest-fixtures/SKILL.md"))["skill"]
        assert entry["frontmatter"]["description"].startswith("Write pytest fixtures")
        assert [e["uri"] for e in await all_skills(c)].count("skill://pytest-fixtures/SKILL.md") == 1


async def test_directory_read_lists_direct_children(home: Path) -> None:
    from .helpers import directory_read

    async with Client(AutoSkillServer(settings(home)), raise_exceptions=True) as c:
        assert c.server_capabilities.extensions["io.modelcontextprotocol/skills"] == {"directoryRead": True}
        root = await directory_read(c, "skill://pytest-fixtures")
        assert root["resultType"] == "complete"
        assert [(r["uri"], r["mimeType"]) for r in root["resources"]] == [
            ("skill://pytest-fixtures/SKILL.md", "text/markdown"),
            ("skill://pytest-fixtures/assets", "inode/directory"),
            ("skill://pytest-fixtures/references", "inode/directory")]
        sub = await directory_read(c, "skill://pytest-fixtures/assets")
        assert [(r["uri"], r["mimeType"]) for r in sub["resources"]] == [
            ("skill://pytest-fixtures/assets/logo.png", "image/png")]
        for bad in ("skill://pytest-fixtures/SKILL.md", "skill://pytest-fixtures/nope", "skill://nope",
                    "skill://bob-secret-deploy", "skill://pytest-fixtures/assets/"):
            with pytest.raises(MCPError) as err:
                await directory_read(c, bad)
            assert err.value.error.code == -32602, bad
