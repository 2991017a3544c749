"""API tokens: random, shown once, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits: a digest without salt is safe when the secret is this random


def new_token() -> str:
    """A fresh token (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The digest stored in api_users.token_hash (64 hex digits)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
