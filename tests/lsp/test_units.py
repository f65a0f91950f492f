"""The adapter's pure parts: position encodings and initialization options."""

from __future__ import annotations

import pytest
from lsprotocol import types

from autoskill_mcp.lsp.actions import minimal_edit
from autoskill_mcp.lsp.options import ServerOptions
from autoskill_mcp.lsp.positions import PositionMap
from autoskill_mcp.skillmd import apply_edits
from autoskill_mcp.skillmd.positions import Position

LINE = "a😀é b"  # code points: a=0 😀=1 é=2 ' '=3 b=4


@pytest.mark.parametrize(("encoding", "expected"), [("utf-16", [0, 1, 3, 4, 5, 6]),
                                                      ("utf-8", [0, 1, 5, 7, 8, 9]),
                                                      ("utf-32", [0, 1, 2, 3, 4, 5])])
def test_columns_in_each_encoding_round_trip(encoding: str, expected: list[int]) -> None:
    pm = PositionMap(LINE + "\n", encoding)
    assert [pm.to_client(Position(0, i)).character for i in range(6)] == expected
    assert [pm.from_client(types.Position(line=0, character=c)).character for c in expected] == list(range(6))


def test_a_client_column_inside_a_character_never_splits_it() -> None:
    pm = PositionMap(LINE, "utf-16")
    assert pm.from_client(types.Position(line=0, character=2)).character == 2  # after the surrogate pair


def test_lines_split_like_the_core_not_like_splitlines() -> None:
    pm = PositionMap("a\u2028b\x0cc\r\nd", "utf-16")
    assert pm.lines == ["a\u2028b\x0cc", "d"]
    assert pm.to_client(Position(1, 1)) == types.Position(line=1, character=1)


def test_unknown_encoding_falls_back_to_utf16() -> None:
    assert PositionMap("", "utf-7").encoding == "utf-16"
    assert PositionMap("", None).encoding == "utf-16"


def test_minimal_edit_replaces_only_the_changed_middle() -> None:
    old, new = "---\nname: A\r\nx\n", "---\nname: a\r\nx\n"
    edit = minimal_edit(old, new)
    assert (edit.range.start, edit.range.end, edit.new_text) == (Position(1, 6), Position(1, 7), "a")
    assert apply_edits(old, [edit]) == new


def test_options_from_the_extension_settings() -> None:
    opts = ServerOptions.from_json({"home": "/tmp/h", "user": "ann", "profile": "claude-code"})
    assert (opts.home, opts.user, opts.profile, opts.problems) == ("/tmp/h", "ann", "claude-code", ())
    auto = ServerOptions.from_json({"home": None, "user": None, "profile": "auto"})
    assert (auto.home, auto.user, auto.profile) == (None, None, None)


def test_bad_options_are_reported_not_fatal() -> None:
    opts = ServerOptions.from_json({"home": 3, "profile": "vim"})
    assert opts.home is None and opts.profile is None
    assert len(opts.problems) == 2 and any("unknown profile 'vim'" in p for p in opts.problems)
    assert ServerOptions.from_json(None) == ServerOptions()
    assert ServerOptions.from_json({}).with_profile("codex").profile == "codex"
