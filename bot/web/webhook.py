"""Pure webhook checks over raw bytes: the signature, the size cap, the delivery id.

Nothing here parses the body: a request earns parsing only once its
``X-Hub-Signature-256`` matches one of the accepted secrets. Only the
``sha256=`` form is accepted, never the legacy SHA-1 ``X-Hub-Signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

# GitHub does not deliver payloads over 25 MB ("Webhook events and payloads").
MAX_BODY_BYTES = 25 * 1024 * 1024

_PREFIX = b"sha256="
_HEX_DIGEST_LEN = 64

# GitHub sends a GUID; anything else is refused before it reaches logs or Redis keys.
_DELIVERY_ID = re.compile(rb"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


class SignatureVerifier:
    """Check ``X-Hub-Signature-256`` against every accepted secret, in constant time."""

    __slots__ = ("_macs",)

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("at least one webhook secret is required")
        # Keying HMAC once and copying it per request skips re-deriving the pads.
        self._macs = tuple(hmac.new(s, digestmod=hashlib.sha256) for s in secrets)

    def __repr__(self) -> str:
        return f"SignatureVerifier(<{len(self._macs)} secret(s)>)"

    def verify(self, body: bytes, header: bytes | None) -> bool:
        """Return True if ``header`` is ``sha256=<hex>`` of ``body`` under any secret."""
        if header is None or not header.startswith(_PREFIX):
            return False
        given = header[len(_PREFIX) :].lower()
        if len(given) != _HEX_DIGEST_LEN:
            return False
        matched = False
        for mac in self._macs:
            digest = mac.copy()
            digest.update(body)
            # No early exit: the time taken does not say which secret matched.
            matched |= hmac.compare_digest(digest.hexdigest().encode(), given)
        return matched


def sign(secret: bytes, body: bytes) -> str:
    """Return the ``X-Hub-Signature-256`` value GitHub would send for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def valid_delivery_id(value: bytes) -> bool:
    """Return True if ``value`` looks like a GitHub delivery GUID (safe as a key and in logs)."""
    return _DELIVERY_ID.fullmatch(value) is not None
