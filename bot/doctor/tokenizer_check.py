"""Tokenizer files: the model's encoding loads from the local cache, never downloaded.

The encoding is built afresh each time (not from tiktoken's or docgen's
in-process caches), so what is checked is the files on disk now.
"""

from __future__ import annotations

import asyncio
import hashlib

import tiktoken
from tiktoken.load import load_tiktoken_bpe

from bot.doctor.report import CheckResult, failed, passed
from bot.doctor.runner import Context, Probe
from bot.errors import TokenizerUnavailable
from bot.llm.encodings import ENCODING_FILES, install_encoding
from tiktoken_ext import openai_public  # type: ignore[attr-defined]

SAMPLE = "def add(a, b):\n    return a + b\n"


def load_offline(name: str) -> str:
    """Put ``name``'s file in place if needed, load it as tiktoken would; return a detail.

    Raises TokenizerUnavailable, naming the fix, when it cannot be loaded.
    """
    spec = ENCODING_FILES.get(name)
    if spec is None:
        raise TokenizerUnavailable(f"docgen has no offline copy of the {name!r} encoding")
    path = install_encoding(name)
    ranks = load_tiktoken_bpe(spec.url, expected_hash=spec.sha256)  # the file just checked
    built = getattr(openai_public, name)()
    encoding = tiktoken.Encoding(**{**built, "mergeable_ranks": ranks})
    tokens = len(encoding.encode_ordinary(SAMPLE))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{name} loads offline from {path} (sha256 {digest}…); a sample is {tokens} tokens"


async def check_tokenizer(ctx: Context, out: list[CheckResult]) -> None:
    """Load the configured model's encoding (every known one if the model is invalid)."""
    if "docgen_model" in ctx.broken:
        names = list(ENCODING_FILES)
    else:
        names = [ctx.settings.model_facts().encoding]
    details = []
    for name in names:
        try:
            details.append(await asyncio.to_thread(load_offline, name))
        except TokenizerUnavailable as exc:
            fix = "run `docgen tokenizers` where TIKTOKEN_CACHE_DIR points (the image build does)"
            out.append(failed("tokenizer", str(exc), fix))
            return
    out.append(passed("tokenizer", "; ".join(details)))


TOKENIZER = Probe(
    ("tokenizer",),
    check_tokenizer,
    "check that TIKTOKEN_CACHE_DIR is on a local disk",
    min_timeout=60.0,
)
