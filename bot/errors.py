"""The exceptions docgen raises on purpose, under one base class."""

from __future__ import annotations


class DocgenError(Exception):
    """Base of every error docgen raises deliberately; its message is safe to show."""


class SettingsError(DocgenError):
    """A setting is missing or malformed; the message names it in one line."""


class TokenizerUnavailable(DocgenError):
    """A tokenizer encoding cannot be loaded offline; the message says how to fix it."""
