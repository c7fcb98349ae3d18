"""Tokenizer files: made offline from registry packages, loaded by tiktoken with its hash check."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import TokenizerUnavailable
from bot.llm import encodings
from bot.llm.encodings import ENCODING_FILES, install_encoding, o200k_from_quicktok


@pytest.mark.parametrize("name", sorted(ENCODING_FILES))
def test_installed_file_has_tiktokens_own_hash(name: str, tmp_path: Path) -> None:
    path = install_encoding(name, tmp_path)
    assert path.name == hashlib.sha1(ENCODING_FILES[name].url.encode()).hexdigest()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ENCODING_FILES[name].sha256


def test_corrupt_cached_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / ENCODING_FILES["cl100k_base"].cache_key
    target.write_bytes(b"garbage")
    install_encoding("cl100k_base", tmp_path)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == ENCODING_FILES["cl100k_base"].sha256


def test_quicktok_format_conversion() -> None:
    # count=2; tokens b"b" rank 1 and b"a" rank 0, stored out of order.
    vocab = b"\x02\x00\x00\x00" + b"\x01\x00b\x01\x00\x00\x00" + b"\x01\x00a\x00\x00\x00\x00"
    assert o200k_from_quicktok(vocab) == b"YQ== 0\nYg== 1\n"


def test_unknown_encoding_and_disabled_cache_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TokenizerUnavailable, match="no offline copy"):
        install_encoding("p50k_base", tmp_path)
    unwritable = tmp_path / "file"
    unwritable.write_text("")
    with pytest.raises(TokenizerUnavailable, match="TIKTOKEN_CACHE_DIR"):
        install_encoding("cl100k_base", unwritable / "sub")


def test_missing_source_package_names_the_fix(tmp_path: Path) -> None:
    def missing() -> bytes:
        raise FileNotFoundError("quicktok/data/o200k.vocab")

    original = encodings._DERIVERS["o200k_base"]
    encodings._DERIVERS["o200k_base"] = missing
    try:
        with pytest.raises(TokenizerUnavailable, match="quicktok-v1"):
            install_encoding("o200k_base", tmp_path)
    finally:
        encodings._DERIVERS["o200k_base"] = original


def test_plain_tiktoken_loads_offline_in_a_fresh_process(tmp_path: Path) -> None:
    """With an empty cache and every download impossible, tiktoken still loads both."""
    env = {
        **os.environ,
        "TIKTOKEN_CACHE_DIR": str(tmp_path),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    code = (
        "import tiktoken\n"
        "e = tiktoken.get_encoding('o200k_base')\n"
        "assert e.encode('hello world') == [24912, 2375]\n"
        "assert tiktoken.get_encoding('cl100k_base').encode('hello world') == [15339, 1917]\n"
        "assert tiktoken.encoding_for_model('gpt-4o').name == 'o200k_base'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
