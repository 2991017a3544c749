"""ID numbers: checked, encrypted with a fresh nonce, hashed with the key, masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from geogrid.errors import ConfigurationError, InputError
from geogrid.registry.idnumbers import IdCipher, clean_id_number, ensure_key_file, mask, new_key
from geogrid.settings import Settings
from tests.registry.conftest import fake_id_number


def test_numbers_are_checked_without_being_echoed() -> None:
    number = fake_id_number(7)
    assert clean_id_number(" " + number.lower() + " ") == number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InputError, match="check digit is wrong") as caught:
        clean_id_number(wrong)
    assert wrong not in str(caught.value)
    with pytest.raises(InputError, match="not an 18-character ID number"):
        clean_id_number("12345")


def test_a_number_is_shown_masked() -> None:
    assert mask("370782198001011234") == "3707**********1234"


def test_encryption_hides_equal_numbers_and_the_hash_finds_them(tmp_path: Path) -> None:
    cipher = IdCipher.from_settings(Settings(home=tmp_path, registry_key=new_key()))
    number = fake_id_number(8)
    first, second = cipher.encrypt(number), cipher.encrypt(number)
    assert first != second and number.encode() not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == number
    assert cipher.blind(number) == cipher.blind(number) != cipher.blind(fake_id_number(9))
    other = IdCipher.from_settings(Settings(home=tmp_path, registry_key=new_key()))
    assert other.blind(number) != cipher.blind(number)


def test_the_key_comes_from_a_file_or_is_refused(tmp_path: Path) -> None:
    path = ensure_key_file(tmp_path / "keys" / "registry.key")
    assert path.stat().st_mode & 0o777 == 0o600
    key = path.read_text()
    assert ensure_key_file(path).read_text() == key  # an existing key is never replaced
    cipher = IdCipher.from_settings(Settings(home=tmp_path, registry_key_file=path))
    assert cipher.decrypt(cipher.encrypt("x")) == "x"
    with pytest.raises(ConfigurationError, match="no registry key: set GEOGRID_REGISTRY_KEY"):
        IdCipher.from_settings(Settings(home=tmp_path))
    with pytest.raises(ConfigurationError, match="must be 32 bytes"):
        IdCipher.from_settings(Settings(home=tmp_path, registry_key="c2hvcnQ="))
