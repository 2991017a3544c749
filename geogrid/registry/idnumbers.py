"""ID numbers (居民身份证号码): checked, encrypted (AES-GCM), hashed for finding the same
person again, and masked for showing; never kept, logged or echoed in clear.

The key is the setting GEOGRID_REGISTRY_KEY (32 bytes, URL-safe base64) or the file named
by GEOGRID_REGISTRY_KEY_FILE; it is never in the repository. The keyed hash (HMAC-SHA256 on
a key derived from it) lets the store hold one current record per person without the
number; the ciphertext carries a fresh nonce, so equal numbers never look equal there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from geogrid.errors import ConfigurationError, InputError
from geogrid.settings import Settings

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_NONCE = 12
_CONTEXT = b"geogrid registry id number"


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def clean_id_number(value: str, field: str = "id_number") -> str:
    """An 18-character ID number, upper-case X, its check digit right; an InputError naming
    the field (never the number) otherwise."""
    number = str(value).strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit()
                                                              or number[17] == "X"):  # fmt: skip
        raise InputError(f"{field}: not an 18-character ID number (17 digits and a digit or X)",
                         field=field)  # fmt: skip
    if check_digit(number[:17]) != number[17]:
        raise InputError(f"{field}: the ID number's check digit is wrong", field=field)
    return number


def mask(number: str) -> str:
    """What is shown: the first four and last four characters (3701**********1234)."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def new_key() -> str:
    """A fresh random key, as the setting takes it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def ensure_key_file(path: Path) -> Path:
    """Write a fresh key to `path` (owner-only) unless a file is there; the path."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(new_key() + "\n")
    return path


class IdCipher:
    """Encrypts, decrypts and hashes ID numbers with the registry key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigurationError("the registry key must be 32 bytes (URL-safe base64)")
        self._aead = AESGCM(key)
        self._blind = hmac.new(key, b"blind index", hashlib.sha256).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> IdCipher:
        """The cipher of GEOGRID_REGISTRY_KEY, else of the key file; ConfigurationError if
        neither is set."""
        encoded = settings.registry_key
        if encoded is None and settings.registry_key_file is not None:
            try:
                encoded = settings.registry_key_file.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigurationError(f"cannot read the registry key file: {exc}") from None
        if not encoded:
            raise ConfigurationError("no registry key: set GEOGRID_REGISTRY_KEY or "
                                     "GEOGRID_REGISTRY_KEY_FILE")  # fmt: skip
        try:
            key = base64.urlsafe_b64decode(encoded.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigurationError("the registry key is not URL-safe base64") from None
        return cls(key)

    def encrypt(self, number: str) -> bytes:
        """Nonce and ciphertext of a (cleaned) ID number."""
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, number.encode("ascii"), _CONTEXT)

    def decrypt(self, blob: bytes) -> str:
        """The ID number of what `encrypt` made."""
        blob = bytes(blob)
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], _CONTEXT).decode("ascii")

    def blind(self, number: str) -> str:
        """The keyed hash that finds the same number again (hex)."""
        return hmac.new(self._blind, number.encode("ascii"), hashlib.sha256).hexdigest()
