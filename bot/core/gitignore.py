"""Gitignore-style path patterns, as docgen's settings and the linters' excludes use them."""

from __future__ import annotations

from functools import lru_cache

import pathspec


@lru_cache(maxsize=256)
def gitignore_spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """Return the matcher of ``patterns`` read as ``.gitignore`` lines (cached).

    A bare name matches at any depth; a pattern with a slash is relative to the root.
    """
    return pathspec.GitIgnoreSpec.from_lines(patterns)
