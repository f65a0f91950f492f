"""The skill REST API of `autoskill serve`: a real server subprocess on a real store, driven over HTTP."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.serve.openapi import doc_path
from autoskill_mcp.store.tokens import FileTokenStore
from tests.mcp_server.helpers import PNG, USER, config
from tests.mcp_server.helpers import seed as seed_store
from tests.serve.conftest import KEY_ENV, UPSTREAM_KEY, ProxyProcess
from tests.serve.fake_upstream import FakeUpstream

API = "/v1/autoskill"
#: a durable directive said over two turns: the offline rules learn `ruff-check` from it
RUFF = [
    {"role": "user", "content": "From now on, always run ruff check before every commit in this repo."},
    {"role": "assistant", "content": "Understood: I will run ruff check before each commit."},
    {"role": "user", "content": "Yes. Never commit without running ruff first; fix every finding it reports "
                                "before committing."},
    {"role": "assistant", "content": "Got it."},
]
OUTSIDE = "SENTINEL-outside-the-store-7d1e"
#: one mild request, said once: the offline rules keep it aside until it recurs
MILD = [{"role": "user", "content": "write a helper that loads the settings file"},
        {"role": "assistant", "content": "def load(path): return dict(...)"},
        {"role": "user", "content": "can you use dataclasses instead of dicts here"},
        {"role": "assistant", "content": "Switched to a Settings dataclass."}]
SHORTER = [{"role": "user", "content": "draft the release note"}, {"role": "assistant", "content": "..."},
           {"role": "user", "content": "shorter please, just the bullet points"},
           {"role": "assistant", "content": "..."}]


class Api:
    """The server, and a client on its skill API."""

    def __init__(self, srv: ProxyProcess) -> None:
        self.srv = srv
        self.http = httpx.Client(base_url=srv.base + API, timeout=60)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, json=body, **kw) if body is not None else self.http.post(path, **kw)

    def md(self, name: str) -> str:
        r = self.get(f"/skills/{name}/md")
        assert r.status_code == 200, r.text
        return r.text

    def version(self, name: str) -> str:
        return str(self.get(f"/skills/{name}").json()["version"])

    def follow(self, job_id: str) -> list[tuple[str, dict[str, Any]]]:
        """The job's events, read until the server ends the stream (it does once the job is finished)."""
        seen: list[tuple[str, dict[str, Any]]] = []
        with self.http.stream("GET", f"/extractions/{job_id}/events", timeout=120) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            name = None
            for line in r.iter_lines():
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: ") and name is not None:
                    seen.append((name, json.loads(line[len("data: "):])))
                    name = None
        return seen


def error(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text)
    body: dict[str, Any] = r.json()["error"]
    assert body["message"] and body["type"] and body["code"]
    return body


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Api]:
    root = tmp_path_factory.mktemp("skill-api")
    home = root / "home"
    home.mkdir()
    seed_store(home)
    (root / "x").write_text(OUTSIDE, encoding="utf-8")  # what `../../x` would name, beside the store
    (home / "config.toml").write_text(
        f'[embeddings]\nprovider = "hashing"\ndims = 256\n\n[llm]\nprovider = "none"\n\n'
        f'[proxy]\nupstream = "{upstream.url}"\napi_key_env = "{KEY_ENV}"\nmin_score = 0.05\n', encoding="utf-8")
    srv = ProxyProcess(home, root / "serve.log")
    srv.wait_ready()
    client = Api(srv)
    yield client
    client.http.close()
    assert srv.stop() == 0, srv.stderr()
    assert UPSTREAM_KEY not in srv.stderr()


# -- reading ----------------------------------------------------------------------------------------------


def test_list_is_paged_with_the_store_cursor_and_shows_only_what_the_user_may_see(api: Api) -> None:
    first = api.get("/skills", params={"limit": 2}).json()
    assert len(first["skills"]) == 2 and first["next_cursor"]
    rest = api.get("/skills", params={"limit": 500, "cursor": first["next_cursor"]}).json()
    names = [s["name"] for s in first["skills"] + rest["skills"]]
    assert rest["next_cursor"] is None and len(names) == first["total"] == len(set(names))
    assert {"pytest-fixtures", "shared-style", "git-commit-messages"} <= set(names)
    assert "bob-secret-deploy" not in names
    mine = api.get("/skills", params={"scope": "user"}).json()["skills"]
    assert "shared-style" not in {s["name"] for s in mine}
    found = api.get("/skills", params={"q": "IMPERATIVE"}).json()["skills"]
    assert [s["name"] for s in found] == ["git-commit-messages"]
    token = FileTokenStore(api.srv.home).issue("bob")
    bobs = api.get("/skills", headers={"Authorization": f"Bearer {token}"}).json()["skills"]
    assert "bob-secret-deploy" in {s["name"] for s in bobs} and "pytest-fixtures" not in {s["name"] for s in bobs}


@pytest.mark.parametrize(("params", "needle"), [
    ({"limit": "many"}, "limit"), ({"limit": 0}, "limit"), ({"scope": "everything"}, "scope"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"colour": "red"}, "colour"),
])
def test_bad_list_queries_are_400s_naming_the_field(api: Api, params: dict[str, Any], needle: str) -> None:
    assert needle in error(api.get("/skills", params=params), 400)["message"]


def test_one_skill_by_name_or_id_with_its_files_and_its_skill_md(api: Api) -> None:
    by_name = api.get("/skills/pytest-fixtures").json()
    assert by_name["instructions"].startswith("# Pytest fixtures") and by_name["tags"] == ["python", "testing"]
    assert {f["path"] for f in by_name["files"]} == {"references/examples.md", "assets/logo.png"}
    assert api.get(f"/skills/{by_name['id']}").json() == by_name
    r = api.get("/skills/pytest-fixtures/md")
    assert r.headers["content-type"].startswith("text/markdown") and "name: pytest-fixtures" in r.text
    assert r.headers["x-autoskill-version"] == by_name["version"]
    assert api.get("/skills/shared-style").json()["scope"] == "shared"


def test_unknown_foreign_and_path_like_ids_are_clear_errors_and_read_nothing(api: Api) -> None:
    assert "no skill named 'nope'" in error(api.get("/skills/nope"), 404)["message"]
    with httpx.Client(base_url=api.srv.base + API) as anon:  # bob's skill, by name and by id, is absent to alice
        token = FileTokenStore(api.srv.home).issue("bob")
        bob_id = anon.get("/skills/bob-secret-deploy", headers={"Authorization": f"Bearer {token}"}).json()["id"]
    for ref in ("bob-secret-deploy", bob_id):
        for suffix in ("", "/md", "/versions", "/export"):
            error(api.get(f"/skills/{ref}{suffix}"), 404)
    assert "is or contains a path" in error(api.get("/skills/..%5C..%5Cx/md"), 400)["message"]
    for raw in ("/skills/..%2F..%2Fx", "/skills/..%2F..%2Fx/md", "/skills/%2E%2E/%2E%2E/x"):
        r = api.get(raw)
        assert r.status_code in (400, 404) and OUTSIDE not in r.text, r.text
        error(r, r.status_code)


# -- writing ----------------------------------------------------------------------------------------------


def test_put_saves_a_valid_skill_md_as_a_new_version(api: Api) -> None:
    before = api.md("release-checklist")
    changed = before.replace("3. Publish", "3. Publish\n4. Announce the release")
    r = api.http.put("/skills/release-checklist/md", content=changed, headers={"Content-Type": "text/markdown"})
    saved = r.json()
    assert r.status_code == 200 and saved["outcome"] == "updated" and saved["version"] == "0.1.1", saved
    assert "4. Announce the release" in api.md("release-checklist")
    again = api.http.put("/skills/release-checklist/md", json={"skill_md": api.md("release-checklist")}).json()
    assert again["outcome"] == "unchanged" and again["version"] == "0.1.1"


def test_a_broken_skill_md_is_422_with_diagnostics_and_nothing_changes(api: Api) -> None:
    before, version = api.md("git-commit-messages"), api.version("git-commit-messages")
    for broken in ("---\nname: git-commit-messages\n---\n\nno description", "---\nname: [unclosed\n---\nbody",
                   "no frontmatter at all"):
        body = error(api.http.put("/skills/git-commit-messages/md", json={"skill_md": broken}), 422)
        assert body["code"] == "invalid_skill_md" and body["diagnostics"], body
        assert all(d["severity"] == "error" and d["code"].startswith("SKL") for d in body["diagnostics"])
    other = before.replace("name: git-commit-messages", "name: another-name")
    renamed = error(api.http.put("/skills/git-commit-messages/md", json={"skill_md": other}), 422)
    assert "another-name" in json.dumps(renamed)  # the folder-name rule: a PUT cannot rename the skill
    assert (api.md("git-commit-messages"), api.version("git-commit-messages")) == (before, version)
    versions = api.get("/skills/git-commit-messages/versions").json()["versions"]
    assert len(versions) == 1


def test_validate_checks_a_skill_md_as_a_put_would_and_stores_nothing(api: Api) -> None:
    text, version = api.md("git-commit-messages"), api.version("git-commit-messages")
    broken = text.replace("name: git-commit-messages", "name: Git_Commit_Messages")
    out = api.post("/skills/validate", {"skill_md": broken, "name": "git-commit-messages"}).json()
    lower = next(d for d in out["diagnostics"] if d["code"] == "SKL015")
    assert out["errors"] >= 1 and lower["severity"] == "error" and lower["range"]["start"]["line"] == 1
    assert lower["fixes"][0]["text"] == text and lower["fixes"][0]["edits"]  # the fix, applied, is the original
    assert out["fixed"] is not None and "name: git-commit-messages" in out["fixed"]
    clean = api.post("/skills/validate", {"skill_md": text, "name": "git-commit-messages"}).json()
    assert clean["errors"] == 0
    assert api.post("/skills/validate", {"skill_md": text, "name": "other-name"}).json()["errors"] >= 1
    assert (api.md("git-commit-messages"), api.version("git-commit-messages")) == (text, version)
    assert "skill_md" in error(api.post("/skills/validate", {"skill_md": 5}), 400)["message"]


def test_put_with_a_stale_version_is_a_409_and_bad_puts_are_clear(api: Api) -> None:
    text = api.md("pytest-fixtures")
    version = api.version("pytest-fixtures")
    changed = text.replace("Yield, then clean up.", "Yield, then clean up; never share state.")
    body = error(api.http.put("/skills/pytest-fixtures/md", json={"skill_md": changed, "expected_version": "9.9.9"}),
                 409)
    assert body["code"] == "version_conflict" and api.version("pytest-fixtures") == version
    r = api.http.put("/skills/pytest-fixtures/md", content=changed,
                     headers={"Content-Type": "text/markdown", "If-Match": version})
    assert r.status_code == 200 and r.json()["version"] != version
    assert "skill_md" in error(api.http.put("/skills/pytest-fixtures/md", json={"skill_md": 5}), 400)["message"]
    assert "extra" in error(api.http.put("/skills/pytest-fixtures/md", json={"skill_md": changed, "x": 1}),
                            400)["message"].lower()
    error(api.http.put("/skills/pytest-fixtures/md", content=b"x", headers={"Content-Type": "image/png"}), 400)
    error(api.http.put("/skills/no-such-skill/md", json={"skill_md": changed}), 404)
    assert error(api.http.put("/skills/shared-style/md", json={"skill_md": api.md("shared-style")}),
                 403)["code"] == "read_only"


def test_a_50_mb_body_is_413_and_changes_nothing(api: Api) -> None:
    before, version = api.md("pytest-fixtures"), api.version("pytest-fixtures")
    total = api.get("/skills").json()["total"]
    huge = b"x" * (50 * 1024 * 1024)
    r = api.http.put("/skills/pytest-fixtures/md", content=huge, headers={"Content-Type": "text/markdown"})
    assert r.status_code == 413
    r = api.http.post("/skills/import", content=huge, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "nothing was read or changed" in r.json()["error"]["message"]
    assert (api.md("pytest-fixtures"), api.version("pytest-fixtures")) == (before, version)
    assert api.get("/skills").json()["total"] == total


def test_versions_diff_and_rollback(api: Api) -> None:
    text = api.md("shared-style").replace("shared-style", "style-notes")  # a fresh skill of alice's
    assert api.post("/skills/import", {"skills": [text]}).json()["items"][0]["outcome"] == "created"
    edited = api.md("style-notes").replace("black, ruff", "black, ruff, mypy")
    assert api.http.put("/skills/style-notes/md", json={"skill_md": edited}).json()["outcome"] == "updated"
    history = api.get("/skills/style-notes/versions").json()["versions"]
    assert [v["n"] for v in history] == [1, 2] and history[-1]["current"]
    diff = api.get("/skills/style-notes/versions", params={"from": "#1", "to": "#2"}).json()["diff"]
    assert "-black, ruff\n" in diff and "+black, ruff, mypy\n" in diff
    assert "'from' and 'to'" in error(api.get("/skills/style-notes/versions", params={"from": "#1"}), 400)["message"]
    error(api.get("/skills/style-notes/versions", params={"from": "#1", "to": "#9"}), 404)
    rolled = api.post("/skills/style-notes/rollback", {"version": "#1"}).json()
    assert len(rolled["versions"]) == 3 and "mypy" not in api.md("style-notes")
    error(api.post("/skills/style-notes/rollback", {"version": "7.7.7"}), 404)
    assert "version" in error(api.post("/skills/style-notes/rollback", {"version": 3}), 400)["message"]
    assert error(api.post("/skills/shared-style/rollback", {}), 403)["code"] == "read_only"


def test_delete_own_skills_only(api: Api) -> None:
    text = api.md("shared-style").replace("shared-style", "short-lived")
    api.post("/skills/import", {"skills": [text]})
    gone = api.http.delete("/skills/short-lived").json()
    assert gone["deleted"] and gone["name"] == "short-lived"
    error(api.get("/skills/short-lived"), 404)
    error(api.http.delete("/skills/short-lived"), 404)
    error(api.http.delete("/skills/shared-style"), 403)
    error(api.http.delete("/skills/bob-secret-deploy"), 404)


def test_export_is_the_skill_folder_as_a_zip(api: Api) -> None:
    r = api.get("/skills/pytest-fixtures/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert set(archive.namelist()) == {"pytest-fixtures/SKILL.md", "pytest-fixtures/references/examples.md",
                                           "pytest-fixtures/assets/logo.png"}
        assert archive.read("pytest-fixtures/assets/logo.png") == PNG
        assert "name: pytest-fixtures" in archive.read("pytest-fixtures/SKILL.md").decode()


def test_import_reports_an_outcome_per_item(api: Api) -> None:
    good = "---\nname: docker-slim-images\ndescription: Build small Docker images with multi-stage builds.\n---\n\n" \
           "# Docker\n\n1. Use a multi-stage build.\n"
    clash = api.md("pytest-fixtures")
    items = api.post("/skills/import", {"skills": [good, "just prose, no skill", clash]}).json()["items"]
    assert [i["outcome"] for i in items] == ["created", None, None]
    assert items[0]["name"] == "docker-slim-images" and items[1]["reason"] and "already exists" in items[2]["reason"]
    again = api.post("/skills/import", {"skills": [good], "overwrite": True}).json()["items"]
    assert again[0]["outcome"] == "unchanged"
    changed = good.replace("multi-stage build.", "multi-stage build.\n2. Pin the base image.")
    assert api.post("/skills/import", {"skills": [changed], "overwrite": True}).json()["items"][0]["outcome"] == \
        "updated"
    for bad in ({"skills": "one"}, {"skills": []}, {"skills": [1]}, {}, {"skills": [good], "overwrite": "yes"}):
        assert "skills" in error(api.post("/skills/import", bad), 400)["message"] or "overwrite" in str(bad)


def test_an_exported_zip_imports_back_with_its_files_and_a_hostile_one_writes_nothing_outside(api: Api) -> None:
    exported = api.get("/skills/pytest-fixtures/export").content
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as src, zipfile.ZipFile(renamed, "w") as dst:
        for entry in src.infolist():  # the same folder under another name: a new skill, files and all
            data = src.read(entry).replace(b"name: pytest-fixtures", b"name: pytest-fixtures-copy")
            dst.writestr(entry.filename.replace("pytest-fixtures/", "pytest-fixtures-copy/"), data)
    zipped = {"Content-Type": "application/zip"}
    r = api.post("/skills/import", content=renamed.getvalue(), headers=zipped)
    assert r.status_code == 200, r.text
    assert [(i["name"], i["outcome"]) for i in r.json()["items"]] == [("pytest-fixtures-copy", "created")]
    files = {f["path"] for f in api.get("/skills/pytest-fixtures-copy").json()["files"]}
    assert {"references/examples.md", "assets/logo.png"} <= files
    again = api.post("/skills/import?overwrite=true", content=renamed.getvalue(), headers=zipped).json()
    assert [i["outcome"] for i in again["items"]] == ["unchanged"]

    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("../escaped/SKILL.md", "---\nname: escaped\ndescription: Out of the archive.\n---\n")
        link = zipfile.ZipInfo("linked/SKILL.md")
        link.external_attr = 0o120777 << 16  # a symlink entry
        archive.writestr(link, "/etc/passwd")
    r = api.post("/skills/import", content=hostile.getvalue(), headers=zipped)
    assert r.status_code == 200 and r.json()["items"] == []
    warnings = r.json()["warnings"]
    assert any("leaves the archive" in w for w in warnings) and any("a link" in w for w in warnings)
    assert error(api.get("/skills/escaped"), 404) and error(api.get("/skills/linked"), 404)
    assert "not a zip archive" in error(api.post("/skills/import", content=b"PK no zip", headers=zipped),
                                        400)["message"]
    assert "overwrite" in error(api.post("/skills/import?overwrite=yes", content=exported, headers=zipped),
                                400)["message"]


# -- search and preview -----------------------------------------------------------------------------------


def test_search_gives_scores_with_their_parts(api: Api) -> None:
    out = api.post("/skills/search", {"query": "pytest fixtures tmp_path", "top_k": 3}).json()
    top = out["hits"][0]
    assert top["name"] == "pytest-fixtures" and 0 < top["score"] <= 1
    assert top["keyword"] is not None and top["why"].startswith("score")
    names = {h["name"] for h in api.post("/skills/search", {"query": "deploy billing cluster"}).json()["hits"]}
    assert "bob-secret-deploy" not in names
    strict = api.post("/skills/search", {"query": "pytest", "min_score": 1}).json()
    assert all(h["score"] >= 1 for h in strict["hits"])
    for bad, field in (({"query": "x", "top_k": "5"}, "top_k"), ({"top_k": 5}, "query"), ({"query": ""}, "query"),
                       ({"query": "x", "scope": "mine"}, "scope"), ({"query": "x", "min_score": 2}, "min_score")):
        assert field in error(api.post("/skills/search", bad), 400)["message"]
    assert "JSON" in error(api.http.post("/skills/search", content=b"{nope",
                                         headers={"Content-Type": "application/json"}), 400)["message"]
    assert error(api.http.post("/skills/search", content=b"[]", headers={"Content-Type": "application/json"}),
                 400)["message"] == "the request body must be a JSON object"


def test_preview_is_what_the_proxy_would_inject_without_calling_upstream(api: Api, upstream: FakeUpstream) -> None:
    calls = len(upstream.chats())
    messages = [{"role": "system", "content": "You are terse."},
                {"role": "user", "content": "How do I write pytest fixtures with tmp_path?"}]
    out = api.post("/retrieval/preview", {"messages": messages}).json()
    assert out["skills"][0]["name"] == "pytest-fixtures" and out["skills"][0]["score"] > 0
    assert "<autoskill-context>" in out["system_message"] and out["tokens"] > 0
    assert out["messages"] == [messages[0], {"role": "system", "content": out["system_message"]}, messages[1]]
    # the same request through the proxy sends exactly that
    r = httpx.post(api.srv.base + "/v1/chat/completions", json={"model": "fake-model", "messages": messages},
                   timeout=60)
    assert r.status_code == 200 and upstream.chats()[-1].json()["messages"] == out["messages"]
    assert len(upstream.chats()) == calls + 1
    by_query = api.post("/retrieval/preview", {"query": "zqxj vvkw plorb"}).json()
    assert by_query["skills"] == [] and by_query["system_message"] == "" and by_query["messages"] is None
    for bad in ({}, {"query": "x", "messages": messages}, {"messages": [{"content": "no role"}]}, {"query": 3}):
        error(api.post("/retrieval/preview", bad), 400)


# -- learning ---------------------------------------------------------------------------------------------


def test_a_conversation_is_learned_and_its_events_end_with_done(api: Api) -> None:
    queued = api.post("/conversations/import", {"messages": RUFF, "hint": "repo habits"})
    assert queued.status_code == 202
    (ref,) = queued.json()["jobs"]
    assert ref["created"] and api.get("/extractions/latest").json()["id"] == ref["job_id"]
    seen = api.follow(ref["job_id"])
    states = [name for name, _ in seen]
    assert states[-1] == "done" and set(states) <= {"queued", "running", "done"}
    assert states.count("done") == 1 and all(d["id"] == ref["job_id"] for _, d in seen)
    result = seen[-1][1]["result"]
    assert [(s["outcome"], s["name"]) for s in result["skills"]] == [("created", "ruff-check")]
    job = api.get(f"/extractions/{ref['job_id']}").json()
    assert job["state"] == "done" and job["attempts"] == 1 and job["hint"] == "repo habits"
    assert job["result"] == result and result["errors"] == [] and result["kept_aside"] == []
    learned = api.get("/skills/ruff-check").json()
    assert "ruff" in learned["instructions"] and learned["scope"] == "user"
    quotes = [q for e in learned["evidence"] for q in e["quotes"]]  # the user's words the skill rests on
    assert learned["evidence"][0]["source"] == "transcript" and any("ruff" in q for q in quotes)
    assert "ruff-check" in {s["name"] for s in api.get("/skills", params={"q": "ruff"}).json()["skills"]}
    hits = api.post("/skills/search", {"query": "run ruff before every commit"}).json()["hits"]
    assert hits[0]["name"] == "ruff-check"
    # the same conversation again is the same job; its events are at once the finished state
    again = api.post("/conversations/import", {"messages": RUFF, "hint": "repo habits"}).json()["jobs"][0]
    assert again == {"job_id": ref["job_id"], "created": False}
    assert [name for name, _ in api.follow(ref["job_id"])] == ["done"]


def test_extractions_are_created_listed_paged_and_private(api: Api) -> None:
    convo = [{"role": "user", "content": "Always write the changelog entry in the imperative mood."},
             {"role": "assistant", "content": "Will do."}]
    r = api.post("/extractions", {"messages": convo})
    job = r.json()
    assert r.status_code == 202 and job["created"] and job["state"] in ("queued", "running", "done")
    assert api.post("/extractions", {"messages": convo}).json()["created"] is False
    two = api.post("/conversations/import", {"conversations": [
        [{"role": "user", "content": "Never push straight to main."}],
        [{"role": "user", "content": "Always pin dependencies in requirements files."}]]}).json()["jobs"]
    assert len(two) == 2 and all(j["created"] for j in two)
    page = api.get("/extractions", params={"limit": 2}).json()
    assert [j["id"] for j in page["jobs"]] == [two[1]["job_id"], two[0]["job_id"]] and page["next_cursor"]
    rest = api.get("/extractions", params={"cursor": page["next_cursor"], "limit": 500}).json()
    assert job["id"] in {j["id"] for j in rest["jobs"]} and rest["next_cursor"] is None
    for j in [*two, {"job_id": job["id"]}]:
        assert api.follow(j["job_id"])[-1][0] in ("done", "failed")
    bob = {"Authorization": f"Bearer {FileTokenStore(api.srv.home).issue('bob')}"}
    error(api.get(f"/extractions/{job['id']}", headers=bob), 404)
    error(api.get(f"/extractions/{job['id']}/events", headers=bob), 404)
    assert api.get("/extractions", headers=bob).json()["jobs"] == []
    error(api.get("/extractions/0123456789abcdef"), 404)
    error(api.get("/extractions/0123456789abcdef/events"), 404)
    for bad in ({}, {"messages": []}, {"messages": "hi"}, {"messages": [{"role": 1}]},
                {"messages": convo, "hint": 5}):
        error(api.post("/extractions", bad), 400)
    error(api.post("/conversations/import", {"messages": convo, "conversations": [convo]}), 400)
    error(api.get("/extractions", params={"limit": -1}), 400)


def test_kept_aside_candidates_are_listed_accepted_and_rejected(api: Api) -> None:
    jobs = api.post("/conversations/import", {"conversations": [MILD, SHORTER]}).json()["jobs"]
    kept = [api.follow(j["job_id"])[-1][1]["result"]["kept_aside"] for j in jobs]
    assert all(len(k) == 1 for k in kept), kept
    listed = {c["id"]: c for c in api.get("/candidates").json()["candidates"]}
    mild, shorter = listed[kept[0][0]["id"]], listed[kept[1][0]["id"]]
    assert mild["status"] == "pending" and "dataclasses instead of dicts" in mild["evidence"][0]["text"]
    assert mild["evidence"][0]["kind"] and mild["summary"] and mild["sessions"]
    accepted = api.post(f"/candidates/{mild['id']}/accept", {}).json()
    assert accepted["candidate"]["status"] == "accepted"
    [learned] = [s for s in accepted["skills"] if s["outcome"] == "created"]
    assert accepted["candidate"]["skill_id"] == learned["skill_id"]
    assert "dataclass" in api.get(f"/skills/{learned['skill_id']}").json()["instructions"].lower()
    rejected = api.post(f"/candidates/{shorter['id']}/reject", {}).json()
    assert rejected["status"] == "rejected" and rejected["id"] == shorter["id"]
    assert {c["id"] for c in api.get("/candidates").json()["candidates"]}.isdisjoint({mild["id"], shorter["id"]})
    assert {c["status"] for c in api.get("/candidates", params={"status": "all"}).json()["candidates"]} >= \
        {"accepted", "rejected"}
    for done in (mild["id"], shorter["id"]):  # resolved: neither can be accepted or rejected again
        error(api.post(f"/candidates/{done}/accept", {}), 404)
        error(api.post(f"/candidates/{done}/reject", {}), 404)
    error(api.post("/candidates/0123456789abcdef/accept", {}), 404)
    bob = {"Authorization": f"Bearer {FileTokenStore(api.srv.home).issue('bob')}"}
    assert api.get("/candidates", headers=bob, params={"status": "all"}).json()["candidates"] == []
    error(api.get("/candidates", params={"status": "maybe"}), 400)
    error(api.get("/candidates", params={"limit": 0}), 400)


def test_usage_is_on_the_skill_and_prune_reports_without_deleting(api: Api) -> None:
    with AutoSkill(config(api.srv.home)) as sdk:  # the counters an agent's reports would leave
        sdk.record_usage(api.get("/skills/release-checklist").json()["id"], retrieved=3, user_id=USER)
        sdk.record_usage(api.get("/skills/git-commit-messages").json()["id"], retrieved=1, used=1, user_id=USER)
    usage = api.get("/skills/release-checklist").json()["usage"]
    assert usage["retrieved"] >= 3 and usage["used"] == 0 and usage["last_retrieved_at"]
    assert api.get("/skills/git-commit-messages").json()["usage"]["used"] == 1
    default = api.get("/prune").json()
    assert default["applied"] is False and default["candidates"] == [] and default["policy"]["min_retrieved"] == 40
    report = api.get("/prune", params={"min_retrieved": 3, "min_age_days": 0}).json()
    assert [c["name"] for c in report["candidates"]] == ["release-checklist"], report
    assert report["candidates"][0]["retrieved"] >= 3 and report["candidates"][0]["used"] == 0
    assert api.get("/skills/release-checklist").status_code == 200  # a report: nothing was deleted
    for bad in ({"min_retrieved": 0}, {"max_used": "x"}, {"min_age_days": -1}, {"apply": "true"}):
        error(api.get("/prune", params=bad), 400)


def test_a_skill_file_is_text_or_a_download_and_nothing_outside(api: Api) -> None:
    r = api.get("/skills/pytest-fixtures/files/references/examples.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text == "# Examples\n\nuse tmp_path\n" and r.headers["x-content-type-options"] == "nosniff"
    png = api.get("/skills/pytest-fixtures/files/assets/logo.png")
    assert png.status_code == 200 and png.content == PNG
    assert png.headers["content-type"] == "application/octet-stream"
    assert png.headers["content-disposition"] == 'attachment; filename="logo.png"'
    for raw in ("pytest-fixtures/files/nope.md", "pytest-fixtures/files/..%2F..%2F..%2Fx",
                "pytest-fixtures/files/references/..%2F..%2F..%2F..%2Fx", "pytest-fixtures/files/SKILL.md/x",
                "bob-secret-deploy/files/SKILL.md", "nope/files/a.md"):
        r = api.get(f"/skills/{raw}")
        assert OUTSIDE not in r.text
        error(r, 404)


# -- the server itself ------------------------------------------------------------------------------------


def the_routes() -> list[tuple[str, str]]:
    """(method, path) of every skill API route of a freshly built app (the app, not its route table)."""
    from starlette.applications import Starlette

    from autoskill_mcp.mcp_server.settings import McpSettings
    from autoskill_mcp.serve.app import build_app
    from autoskill_mcp.serve.settings import ServeSettings

    app: Any = build_app(ServeSettings(http=McpSettings(home=Path("/nonexistent"), user="alice"), mcp=False))
    while not isinstance(app, Starlette):
        app = getattr(app, "proxy", None) or app.app
    return [(method, route.path) for route in app.routes for method in route.methods or ()
            if route.path.startswith(API) and method != "HEAD"]


def test_openapi_documents_every_route_and_every_documented_route_answers(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    routes = the_routes()
    assert len(routes) >= 16
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    assert {(method, doc_path(path)) for method, path in routes} == documented
    job = api.post("/extractions", {"messages": [{"role": "user", "content": "hello there"}]}).json()["id"]
    assert api.follow(job)[-1][0] in ("done", "failed")
    for method, path in sorted(documented):
        url = path.replace("{ref}", "pytest-fixtures").replace("{job_id}", job).replace("{path}", "SKILL.md")
        op = doc["paths"][path][method.lower()]
        r = api.http.request(method, url[len(API):], json={} if method in ("POST", "PUT") else None)
        codes = set(op["responses"])
        assert str(r.status_code) in codes, (method, path, r.status_code, r.text)
        if r.status_code >= 400:
            assert r.json()["error"]["code"] not in ("no_route", "method_not_allowed"), (method, path)
        assert all(p["in"] in ("path", "query") for p in op["parameters"]), (method, path)
    assert "SearchIn" in doc["components"]["schemas"] and "JobOut" in doc["components"]["schemas"]
    assert error(api.get("/no-such-route"), 404)["code"] == "no_route"
    assert error(api.http.patch("/skills/pytest-fixtures"), 405)["code"] == "method_not_allowed"


def test_capabilities_say_what_the_server_does_and_no_secret(api: Api) -> None:
    r = api.get("/capabilities")
    caps = r.json()
    assert {(x["method"], x["path"]) for x in caps["routes"]} == set(the_routes())
    assert caps["embedder"]["provider"] == "hashing" and caps["mcp"] == "/mcp" and caps["extract_mode"] == "auto"
    assert caps["llm"]["provider"] == "none" and caps["llm"]["extractor"].startswith("rules")
    assert caps["store_ready"] and caps["save_outcomes"] == ["created", "updated", "merged", "unchanged", "discarded"]
    for path in ("/capabilities", "/openapi.json", "/skills"):
        assert UPSTREAM_KEY not in api.get(path).text


def test_host_and_origin_checks_and_json_content_type_apply(api: Api) -> None:
    assert api.get("/skills", headers={"Host": "evil.example"}).status_code == 421
    assert api.post("/skills/search", {"query": "x"}, headers={"Origin": "http://evil.example"}).status_code == 403
    r = api.http.post("/skills/search", content=b'{"query": "x"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "Content-Type" in r.json()["error"]["message"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reads_and_writes_a_skill_md_and_cannot_walk_out(api: Api) -> None:
    url = api.srv.base + API + "/skills/git-commit-messages/md"

    def curl(*args: str) -> tuple[int, str]:
        out = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True, timeout=60,
                             check=True, text=True)
        body, _, status = out.stdout.rpartition("\n")
        return int(status), body

    status, text = curl(url)
    assert status == 200 and text.startswith("---\nname: git-commit-messages")
    edited = text.replace("imperative mood.", "imperative mood, no trailing period.", 1)
    status, body = curl("-X", "PUT", "-H", "Content-Type: text/markdown", "--data-binary", edited, url)
    assert status == 200 and json.loads(body)["outcome"] == "updated", body
    status, body = curl("-X", "PUT", "-H", "Content-Type: text/markdown", "--data-binary", "---\nname: x\n", url)
    assert status == 422 and json.loads(body)["error"]["diagnostics"]
    assert "imperative mood, no trailing period." in curl(url)[1]
    status, body = curl("--path-as-is", api.srv.base + API + "/skills/../../x")
    assert status == 404 and OUTSIDE not in body and json.loads(body)["error"]["code"] == "no_route"
