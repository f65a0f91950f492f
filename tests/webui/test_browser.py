"""The web UI in a real browser: Debian's chromium, driven by Playwright, on a real `autoskill serve`.

One server over a seeded store and one browser for the module; the tests run in file order and
build on each other's saves (edit, then the versions of that edit). Every wait is on page state
(Playwright's `expect`), never a sleep. With AUTOSKILL_SCREENSHOTS=1 each screen is saved to
docs/webui/<screen>.png (how the committed screenshots are made; CI leaves the tree alone).
Chromium missing is a failure, not a skip: `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from autoskill_mcp.sdk import AutoSkill
from autoskill_mcp.store.tokens import FileTokenStore
from tests.mcp_server.helpers import REPO, USER, config
from tests.mcp_server.helpers import seed as seed_store
from tests.serve import fake_upstream
from tests.serve.conftest import ProxyProcess, wait_for, write_config
from tests.serve.fake_upstream import FakeUpstream

API = "/v1/autoskill"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "docs" / "webui"
#: a durable directive over two user turns: the offline rules learn `ruff-check` from it
RUFF = ("user: From now on, always run ruff check before every commit in this repo.\n"
        "assistant: Understood: I will run ruff check before each commit.\n"
        "user: Yes. Never commit without running ruff first; fix every finding it reports before committing.\n"
        "assistant: Got it.")
#: one mild request said once: the offline rules keep it aside as a candidate until it recurs
MILD = ("user: write a helper that loads the settings file\n"
        "assistant: def load(path): return dict(...)\n"
        "user: can you use dataclasses instead of dicts here\n"
        "assistant: Switched to a Settings dataclass.")
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    fake = fake_upstream.start()
    yield fake
    fake.stop()


def start_server(root: Path, upstream: str | None, *extra: str, token: str | None = None) -> ProxyProcess:
    """A seeded store's server; with `token` (issued by the caller) it waits for the store with it."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    seed_store(home)
    write_config(home, upstream, 'min_score = 0.05\n\n[llm]\nprovider = "none"\n' if upstream
                 else '[proxy]\nmin_score = 0.05\n\n[llm]\nprovider = "none"\n')
    srv = ProxyProcess(home, root / "serve.log", *extra)
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    wait_for(lambda: httpx.get(srv.base + "/health", headers=auth, timeout=5).json()["store_ready"],
             "the store to open")
    return srv


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[ProxyProcess]:
    srv = start_server(tmp_path_factory.mktemp("webui"), upstream.url)
    yield srv
    assert srv.stop() == 0, srv.stderr()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def launch(p: Playwright) -> Browser:
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@pytest.fixture
def page(browser: Browser, server: ProxyProcess) -> Iterator[Page]:
    """A fresh page on the server; it fails the test if the page loads anything from elsewhere or logs an error."""
    yield from watched_page(browser, server.base)


def watched_page(browser: Browser, base: str) -> Iterator[Page]:
    """A page on `base` whose foreign loads and logged errors fail the test once it is done."""
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=base)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:" + base)) else foreign.append(r.url))
    # (chromium logs every HTTP error status of a fetch; the 422 of a refused save and the 401s are expected)
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and
          not m.text.startswith("Failed to load resource") else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert foreign == [], f"the UI loaded from another origin: {foreign}"
    assert errors == [], f"the page logged errors: {errors}"


def shot(page: Page, screen: str) -> None:
    if os.environ.get("AUTOSKILL_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{screen}.png"), full_page=True)


def ready(page: Page) -> None:
    """The current screen finished drawing (the router marks it)."""
    expect(page.locator("#view > .screen[data-ready=true]")).to_be_attached()


def api(server: ProxyProcess, method: str, path: str, **kw: Any) -> Any:
    r = httpx.request(method, server.base + API + path, timeout=30, **kw)
    assert r.status_code < 300, r.text
    return r.json() if "json" in r.headers.get("content-type", "") else r.text


# -- the screens, in order --------------------------------------------------------------------------------


def test_served_offline_with_a_strict_policy_behind_the_guard(server: ProxyProcess) -> None:
    r = httpx.get(server.base + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script type=\"module\" src=\"/ui/app.js\">" in r.text and "http" not in r.text.split("<body>")[0]
    for name in ("app.js", "app.css", "skills.js"):
        asset = httpx.get(server.base + f"/ui/{name}")
        assert asset.status_code == 200 and asset.headers["content-security-policy"] == csp
        assert not re.search(r"https?://", asset.text), name  # nothing from a CDN
    for bad in ("/ui/..%2Fapp.py", "/ui/nope.js", "/ui/webui.py"):
        assert httpx.get(server.base + bad).status_code == 404
    assert httpx.get(server.base + "/", headers={"Host": "evil.example"}).status_code == 421


def test_search_shows_the_scores_and_opens_a_skill(page: Page) -> None:
    page.goto("/")
    ready(page)
    page.locator("h1").click()  # away from the box: `/` is the shortcut back to it
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("pytest fixtures tmp_path")
    page.keyboard.press("Enter")
    top = page.locator("#results tr.hit").first
    expect(top).to_contain_text("pytest-fixtures")
    expect(top.locator("td.score")).to_have_text(re.compile(r"^0\.\d{3}$|^1\.000$"))
    expect(top.locator("td.keyword")).to_have_text(re.compile(r"\d\.\d{3}"))
    expect(top.locator("td.why")).to_contain_text("score")
    expect(page.locator("#list tbody tr")).to_have_count(4)  # alice's three and the shared one, not bob's
    shot(page, "skills")
    top.get_by_role("link", name="pytest-fixtures").click()
    expect(page.locator("h1")).to_have_text("pytest-fixtures")
    expect(page.locator("#instructions")).to_contain_text("Prefer tmp_path over tempfile.")
    expect(page.locator("#files")).to_contain_text("references/examples.md")
    shot(page, "skill")


def test_edit_shows_a_diagnostic_applies_its_fix_and_saves_a_new_version(page: Page, server: ProxyProcess) -> None:
    page.goto("/#/skill/release-checklist/edit")
    ready(page)
    area = page.locator("#skill-md")
    text = area.input_value()
    assert "name: release-checklist" in text
    area.fill(text.replace("name: release-checklist", "name: Release_Checklist")
              .replace("3. Publish", "3. Publish\n4. Announce the release"))
    page.locator("#check").click()
    diag = page.locator("#diagnostics li.diag[data-code=SKL015]")
    expect(diag).to_contain_text("line 2")
    expect(diag).to_contain_text("must be lowercase")
    shot(page, "edit")
    diag.locator("button.fix").first.click()
    expect(page.locator("#diag-summary")).to_have_text(re.compile(r"No problems found|0 error\(s\)"))
    assert "name: release-checklist" in area.input_value() and "4. Announce the release" in area.input_value()
    page.locator("#save").click()
    expect(page.locator("#saved")).to_contain_text("Saved: updated, version 0.1.1")
    expect(page.locator("#edit-version")).to_have_text("0.1.1")
    assert "4. Announce the release" in api(server, "GET", "/skills/release-checklist/md")


def test_a_save_the_catalogue_refuses_shows_its_diagnostics(page: Page, server: ProxyProcess) -> None:
    page.goto("/#/skill/git-commit-messages/edit")
    ready(page)
    area = page.locator("#skill-md")
    area.fill(re.sub(r"(?m)^description:.*\n", "", area.input_value()))
    page.locator("#save").click()
    expect(page.locator("#save-result")).to_contain_text("nothing was stored")
    expect(page.locator("#diagnostics li.diag[data-code=SKL021]")).to_contain_text("description")
    assert api(server, "GET", "/skills/git-commit-messages")["version"] == "0.1.0"


def test_versions_diff_and_rollback(page: Page, server: ProxyProcess) -> None:
    page.goto("/#/skill/release-checklist/versions")
    ready(page)
    expect(page.locator("table.versions tbody tr")).to_have_count(2)
    page.locator("#show-diff").click()
    diff = page.locator("#diff")
    expect(diff.locator(".add")).to_contain_text(["+4. Announce the release"])
    shot(page, "versions")
    page.get_by_role("button", name="Roll back to #1").click()
    expect(page.locator("#status")).to_contain_text("Rolled back to #1")
    expect(page.locator("table.versions tbody tr")).to_have_count(3)
    expect(page.locator("table.versions tbody tr.current")).to_contain_text("#3")
    assert "Announce" not in api(server, "GET", "/skills/release-checklist/md")


def test_a_queued_conversation_is_followed_live_to_done(page: Page) -> None:
    page.goto("/#/jobs")
    ready(page)
    page.locator("#conversation").fill(RUFF)
    page.locator("#hint").fill("repo habits")
    shot(page, "jobs")
    page.locator("#queue").click()
    expect(page).to_have_url(re.compile(r"#/job/\w+$"))
    expect(page.locator("#job-state")).to_have_attribute("data-state", "done")
    expect(page.locator("#events li").last).to_contain_text("done")
    learned = page.locator("#learned")
    expect(learned).to_contain_text("created")
    expect(learned.get_by_role("link", name="ruff-check")).to_be_visible()
    expect(learned.locator(".why")).not_to_be_empty()
    shot(page, "job")
    learned.get_by_role("link", name="ruff-check").click()  # the learned skill shows the words it rests on
    expect(page.locator("#evidence")).to_contain_text("always run ruff check before every commit")
    shot(page, "skill-evidence")
    page.goto("/#/jobs")
    expect(page.locator("table.jobs")).to_contain_text("created ruff-check")


def test_preview_shows_the_skills_and_the_system_message(page: Page) -> None:
    page.goto("/#/preview")
    ready(page)
    expect(page.locator("#prompt")).to_be_focused()
    page.keyboard.type("How do I write pytest fixtures with tmp_path?")
    page.locator("#run-preview").click()
    expect(page.locator("table.preview-skills tbody tr").first).to_contain_text("pytest-fixtures")
    expect(page.locator("#system-message")).to_contain_text("<autoskill-context>")
    shot(page, "preview")


def test_a_kept_aside_candidate_is_linked_from_its_job_and_accepted(page: Page, server: ProxyProcess) -> None:
    page.goto("/#/jobs")
    ready(page)
    page.locator("#conversation").fill(MILD)
    page.locator("#queue").click()
    expect(page.locator("#job-state")).to_have_attribute("data-state", "done")
    expect(page.locator("#events li").first).to_contain_text(re.compile("queued|running|done"))
    expect(page.locator("#kept-aside")).to_contain_text("dataclass")
    page.locator("#to-candidates").click()
    ready(page)
    item = page.locator("li.candidate", has_text="dataclasses instead of dicts")
    expect(item).to_have_attribute("data-status", "pending")
    shot(page, "candidates")
    item.get_by_role("button", name="Accept: learn it now").click()
    expect(item).to_have_attribute("data-status", "accepted")
    expect(item.locator(".result")).to_contain_text("created")
    [cand] = [c for c in api(server, "GET", "/candidates", params={"status": "all"})["candidates"]
              if c["status"] == "accepted"]
    learned = api(server, "GET", f"/skills/{cand['skill_id']}")
    item.locator(".result").get_by_role("link", name=learned["name"]).click()
    expect(page.locator("h1")).to_have_text(learned["name"])
    page.goto("/#/candidates")
    ready(page)
    expect(page.locator("#no-candidates")).to_be_visible()


def test_the_skill_page_shows_usage_and_opens_its_files(page: Page, server: ProxyProcess) -> None:
    with AutoSkill(config(server.home)) as sdk:
        sdk.record_usage(api(server, "GET", "/skills/pytest-fixtures")["id"], retrieved=2, used=1, user_id=USER)
    usage = api(server, "GET", "/skills/pytest-fixtures")["usage"]
    page.goto("/#/skill/pytest-fixtures")
    ready(page)
    expect(page.locator("#usage-retrieved")).to_have_text(str(usage["retrieved"]))
    expect(page.locator("#usage-used")).to_have_text("1")
    page.locator("button.file-open[data-path='references/examples.md']").click()
    expect(page.locator("#file-text")).to_have_text("# Examples\n\nuse tmp_path\n")
    with page.expect_download() as download:
        page.locator("button.file-open[data-path='assets/logo.png']").click()
    assert download.value.suggested_filename == "logo.png"


def test_prune_lists_what_its_thresholds_would_remove_and_deletes_nothing(page: Page, server: ProxyProcess) -> None:
    with AutoSkill(config(server.home)) as sdk:  # pruning needs `used` reports coming in: one on another skill
        sdk.record_usage(api(server, "GET", "/skills/git-commit-messages")["id"], retrieved=50, user_id=USER)
        sdk.record_usage(api(server, "GET", "/skills/release-checklist")["id"], used=1, user_id=USER)
    page.goto("/#/prune")
    ready(page)
    expect(page.locator("#no-prune")).to_be_visible()  # the default thresholds: 40 retrievals and 14 days
    page.locator("#prune-min_age_days").fill("0")
    page.locator("#run-prune").click()
    row = page.locator("#prune tbody tr", has_text="git-commit-messages")
    expect(row).to_contain_text("50")
    expect(page.locator("#prune tbody tr")).to_have_count(1)
    shot(page, "prune")
    assert api(server, "GET", "/skills/git-commit-messages")["name"] == "git-commit-messages"


def test_chat_streams_the_answer_and_says_which_skills_were_injected(page: Page, upstream: FakeUpstream) -> None:
    page.goto("/#/chat")
    ready(page)
    expect(page.locator("#chat-model")).to_have_value("fake-model")
    expect(page.locator("#chat-prompt")).to_be_focused()
    page.keyboard.type("How do I write pytest fixtures with tmp_path?")
    page.keyboard.press("Enter")
    turn = page.locator("#chat-log .turn").last
    expect(turn).to_have_attribute("data-state", "done")
    expect(turn.locator(".answer")).to_have_text("".join(fake_upstream.STREAM_PIECES))
    expect(turn.locator(".injected")).to_contain_text("pytest-fixtures")
    shot(page, "chat")
    sent = upstream.chats()[-1].json()
    assert sent["stream"] is True and "<autoskill-context>" in json.dumps(sent["messages"])


def test_a_token_server_works_once_the_token_is_given(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    token = FileTokenStore(tmp_path / "home").issue(USER)
    srv = start_server(tmp_path, None, "--require-token", token=token)
    try:
        assert httpx.get(srv.base + API + "/skills").status_code == 401
        assert httpx.get(srv.base + "/health").status_code == 401
        # the page and its files hold no data: they load without the token (the Host check stays)
        assert httpx.get(srv.base + "/").status_code == httpx.get(srv.base + "/ui/api.js").status_code == 200
        assert httpx.get(srv.base + "/", headers={"Host": "evil.example"}).status_code == 421
        assert httpx.get(srv.base + "/ui/nope.js").status_code == 404
        for pg in watched_page(browser, srv.base):
            pg.goto("/")
            expect(pg.locator("#view [role=alert]")).to_contain_text("token")
            pg.locator("#token").fill(token)
            pg.locator("#token-save").click()
            expect(pg.locator("#token-state")).to_have_text("token set")
            expect(pg.locator("#list tbody tr")).to_have_count(4)
            pg.goto("/#/jobs")
            ready(pg)
            pg.locator("#conversation").fill(RUFF)
            pg.locator("#queue").click()
            expect(pg.locator("#job-state")).to_have_attribute("data-state", "done")
            expect(pg.locator("#learned").get_by_role("link", name="ruff-check")).to_be_visible()
            assert pg.evaluate("sessionStorage.getItem('autoskill.token')") == token
    finally:
        assert srv.stop() == 0, srv.stderr()
