"""tiktoken plugin: put docgen's offline encoding files in place before any download.

tiktoken imports every ``tiktoken_ext.*`` module when it first looks up an
encoding, before it runs a constructor. Installing the files then means a plain
``tiktoken.get_encoding("o200k_base")`` works offline in any environment where
docgen is installed. This plugin defines no encodings of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENCODING_CONSTRUCTORS: dict[str, Callable[[], dict[str, Any]]] = {}

try:
    from bot.llm.encodings import install_encodings

    install_encodings()
except Exception:  # never break tiktoken: docgen's own loader reports the cause
    pass
