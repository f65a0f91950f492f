"""The VS Code extension offers exactly the profiles the language server knows (plus `auto`).

A profile added to the rule catalogue but not to the extension's setting would be unreachable
from VS Code; one left in the extension after the server dropped it would be refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from autoskill_mcp.skillmd.profiles import PROFILES

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def test_the_profile_setting_lists_every_server_profile() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    setting = manifest["contributes"]["configuration"]["properties"]["autoskill.profile"]
    assert setting["enum"] == ["auto", *PROFILES]
    assert len(setting["enumDescriptions"]) == len(setting["enum"])


def test_the_settings_reader_accepts_the_same_profiles() -> None:
    source = (EXTENSION / "src" / "settings.ts").read_text(encoding="utf-8")
    listed = re.search(r"export const PROFILES = \[([^\]]*)\]", source)
    assert listed is not None
    assert re.findall(r"'([^']+)'", listed.group(1)) == ["auto", *PROFILES]
