"""RSA key pairs for the test GitHub App, generated locally (never a real App's key)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True, repr=False)
class KeyPair:
    """A PEM private key and its PEM public key."""

    private_pem: str
    public_pem: str

    def __repr__(self) -> str:
        return "KeyPair(<redacted>)"


def generate_key_pair() -> KeyPair:
    """Generate a fresh 2048-bit RSA key pair in PEM form."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem=private.decode("ascii"), public_pem=public.decode("ascii"))


@functools.cache
def app_key_pair() -> KeyPair:
    """Return the test App's key pair, generated once per process."""
    return generate_key_pair()
