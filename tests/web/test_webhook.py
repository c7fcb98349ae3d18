"""Signature checks, delivery ids and the log throttle, as pure functions."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.logging_setup import Throttle, kv
from bot.web.webhook import SignatureVerifier, sign, valid_delivery_id

BODY = b'{"action":"opened","number":1}'


def _header(secret: bytes, body: bytes = BODY, algo: str = "sha256") -> bytes:
    digest = hmac.new(secret, body, getattr(hashlib, algo)).hexdigest()
    return f"{algo}={digest}".encode()


def test_current_and_previous_secrets_verify() -> None:
    verifier = SignatureVerifier([b"new", b"old"])
    assert verifier.verify(BODY, _header(b"new"))
    assert verifier.verify(BODY, _header(b"old"))
    assert sign(b"new", BODY).encode() == _header(b"new")


@pytest.mark.parametrize(
    "header",
    [
        None,
        b"",
        _header(b"other"),
        _header(b"new", BODY + b" "),
        _header(b"new", algo="sha1"),  # the legacy form githubkit's verify falls back to
        _header(b"new")[7:],  # bare hex without the sha256= prefix
        _header(b"new")[:-1],
        _header(b"new") + b"0",
        b"sha256=" + b"z" * 64,
    ],
)
def test_anything_else_is_refused(header: bytes | None) -> None:
    assert not SignatureVerifier([b"new", b"old"]).verify(BODY, header)


def test_uppercase_hex_is_the_same_signature() -> None:
    header = _header(b"new")
    assert SignatureVerifier([b"new"]).verify(BODY, header[:7] + header[7:].upper())


def test_a_verifier_needs_a_secret_and_does_not_show_it() -> None:
    with pytest.raises(ValueError):
        SignatureVerifier([])
    assert "hunter2" not in repr(SignatureVerifier([b"hunter2"]))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (b"72d3162e-cc78-11e3-81ab-4c9367dc0958", True),
        (b"e0b3c2a0e4f111ef8b1f2f3c4d5e6f70", True),
        (b"", False),
        (b"-leading-dash", False),
        (b"a" * 65, False),
        (b"id with space", False),
        (b"id\nforged=1", False),
        (b"../../etc", False),
    ],
)
def test_delivery_ids(value: bytes, ok: bool) -> None:
    assert valid_delivery_id(value) is ok


def test_throttle_lets_one_line_through_per_interval_and_counts_the_rest() -> None:
    now = [100.0]
    throttle = Throttle(1.0, clock=lambda: now[0])
    assert throttle.allow() == 0
    assert [throttle.allow() for _ in range(5)] == [None] * 5
    now[0] += 0.99
    assert throttle.allow() is None
    now[0] += 0.02
    assert throttle.allow() == 6
    assert throttle.allow() is None


def test_kv_keeps_one_record_on_one_line() -> None:
    assert kv(a=1, b="x y", c='say "hi"\nforged=1') == 'a=1 b="x y" c="say \\"hi\\"\\nforged=1"'
    assert kv(empty="") == 'empty=""'
