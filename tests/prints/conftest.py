"""The print tests' connection: the tiny county, rolled back after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine


@pytest.fixture
def conn(county_engine: Engine) -> Iterator[Connection]:
    """A connection on the tiny county inside a transaction that is rolled back."""
    with county_engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()
