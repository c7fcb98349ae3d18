"""App JWT checks and installation tokens, held to GitHub's rules.

GitHub accepts an App JWT signed RS256 with the App's key, whose `iss` names the App
and whose `exp` is at most ten minutes after `iat` and still in the future
("Generating a JSON Web Token (JWT) for a GitHub App").
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import jwt

from tests.fakes.github_model import ApiError

DOCS = "https://docs.github.com/rest"
MAX_JWT_LIFETIME_S = 600


def unauthorized(message: str = "Bad credentials") -> ApiError:
    """Return GitHub's 401 answer."""
    return ApiError(401, {"message": message, "documentation_url": DOCS, "status": "401"})


def credentials(headers: Mapping[str, str], scheme: str) -> str | None:
    """Return the credential after `scheme` in the Authorization header, if it is there."""
    value = headers.get("authorization", "")
    kind, _, credential = value.partition(" ")
    if kind.lower() != scheme.lower() or not credential.strip():
        return None
    return credential.strip()


def verify_app_jwt(token: str, *, public_pem: str, app_id: int) -> Mapping[str, Any]:
    """Return the JWT's claims, or raise a 401 ApiError saying what GitHub would say."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"]},
            # GitHub tolerates some clock drift on iat; githubkit backdates iat by 60 s anyway.
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized(
            "'Expiration time' claim ('exp') must be a numeric value representing the future "
            "time at which the assertion expires"
        ) from None
    except jwt.PyJWTError:
        raise unauthorized("A JSON web token could not be decoded") from None
    if claims["iss"] != str(app_id):
        raise unauthorized("'Issuer' claim ('iss') must be the ID or client ID of a GitHub App")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME_S:
        raise unauthorized("'Expiration time' claim ('exp') is too far in the future")
    return claims


def new_token() -> str:
    """Return a fresh installation token value (GitHub's `ghs_` prefix)."""
    return "ghs_" + secrets.token_urlsafe(27)
