"""The keyword tokenizer: identifiers, stemming, stop words, CJK."""

from __future__ import annotations

import pytest

from autoskill_mcp.retrieval import tokenize
from autoskill_mcp.retrieval.tokenizer import stem


def test_snake_case_splits_into_parts_and_keeps_the_joined_form():
    assert tokenize("parse_json_file") == ["pars", "json", "fil", "parsjsonfil"]


def test_camel_and_pascal_case_split_on_case_and_acronyms():
    assert tokenize("getHTTPResponse") == ["get", "http", "respons", "gethttprespons"]
    assert tokenize("XMLParser")[:2] == ["xml", "parser"]


@pytest.mark.parametrize("spelling", ["dry_run", "dryRun", "dry-run", "--dry-run", "DRY_RUN", "dryrun"])
def test_every_spelling_of_an_identifier_meets_on_one_token(spelling):
    assert "dryrun" in tokenize(spelling)


def test_flags_lose_their_dashes_but_keep_their_words():
    assert tokenize("--dry-run") == ["dry", "run", "dryrun"]
    assert tokenize("-v") == ["v"]


def test_paths_split_into_segments_and_extension():
    assert tokenize("src/utils/file_io.py") == ["src", "util", "fil", "io", "filio", "py"]


def test_light_stemming_makes_inflections_meet():
    groups = [
        ["parse", "parses", "parsing", "parsed"],
        ["convert", "converts", "converting", "converted"],
        ["file", "files"],
        ["run", "running", "runs"],
        ["library", "libraries"],
        ["box", "boxes"],
        ["need", "needs", "needed"],
    ]
    for words in groups:
        assert len({stem(w) for w in words}) == 1, words


def test_stemming_leaves_short_and_special_words_alone():
    assert stem("string") == "string"  # not "str" + "ing"
    assert stem("class") == "class"
    assert stem("status") == "status"
    assert stem("analysis") == "analysis"
    assert stem("installed") == "install"
    assert tokenize("PDFs APIs") == ["pdf", "api"]


def test_stop_words_are_dropped_but_only_glue_words():
    assert tokenize("How do I convert the PDF to a text file?") == ["convert", "pdf", "text", "fil"]
    assert "not" not in tokenize("not")  # small list: glue words only
    assert tokenize("docker") == ["docker"]


def test_han_runs_give_unigrams_and_bigrams():
    assert tokenize("解析日志") == ["解", "析", "日", "志", "解析", "析日", "日志"]


def test_mixed_chinese_and_latin_split_by_script():
    toks = tokenize("使用python解析日志文件")
    assert "python" in toks and "日志" in toks and "文件" in toks and "使用" in toks
    assert not any("python" in t and t != "python" for t in toks)


def test_katakana_word_kept_whole_and_hiragana_particles_not_alone():
    toks = tokenize("ファイルを変換する")
    assert "ファイル" in toks and "変換" in toks
    assert "を" not in toks  # a lone particle is noise


def test_hangul_words_match_with_and_without_particles():
    with_particle = set(tokenize("파일을 변환합니다"))
    bare = set(tokenize("파일 변환"))
    assert bare <= with_particle


def test_accented_words_and_digits_survive():
    assert tokenize("café résumé") == ["café", "résumé"]
    assert "python3" in tokenize("python3") and "3" in tokenize("python3")


def test_compounds_can_be_left_out_for_coverage():
    assert tokenize("parse_json", compounds=False) == ["pars", "json"]


@pytest.mark.parametrize("text", ["parse_json_file getHTTPResponse", "日本語のテキストを parse_json で",
                                  "한국어 dry-run カタカナ", "", "the a of"])
def test_query_tokens_are_both_forms_of_tokenize_in_one_pass(text):
    from autoskill_mcp.retrieval.tokenizer import query_tokens

    assert query_tokens(text) == (tokenize(text), tokenize(text, compounds=False))


def test_a_search_tokenizes_its_query_once(tmp_path, monkeypatch):
    """BM25 scoring and the coverage norm share one tokenization of the query (they used to redo it)."""
    from autoskill_mcp import LocalSkillStore, Skill
    from autoskill_mcp.retrieval import bm25, hybrid, tokenizer

    with LocalSkillStore(tmp_path / "home", embeddings={"provider": "hashing", "dims": 64}, background=False) as s:
        s.save(Skill(name="parse-json-files", description="Parses JSON files. Use for parse_json work.",
                     instructions="# parse\n\nparse_json the file.", user_id="alice"))
        s.search("warm the index", user_id="alice")
        calls: list[str] = []

        def counted(real):
            def wrapper(text, *args, **kwargs):
                if text == "parse_json files":
                    calls.append(real.__name__)
                return real(text, *args, **kwargs)
            return wrapper

        for module in (bm25, hybrid):
            monkeypatch.setattr(module, "tokenize", counted(tokenizer.tokenize))
        monkeypatch.setattr(hybrid, "query_tokens", counted(tokenizer.query_tokens))
        assert [h.skill.name for h in s.search("parse_json files", user_id="alice")] == ["parse-json-files"]
    assert calls == ["query_tokens"]
