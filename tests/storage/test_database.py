"""The engine's connections plan every statement for its own values (storage/database.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geogrid.storage.database import planned_as_written


def test_a_statement_run_often_is_still_planned_for_its_values(engine):
    """psycopg prepares a statement on its fifth run; PostgreSQL may then plan it once for
    any values. Ours never do: skewed data makes such a plan badly wrong for big groups."""
    count = text("select count(*) from reports where station_id = :s and status = :st")
    with engine.connect() as conn:
        assert conn.execute(text("show plan_cache_mode")).scalar() == "force_custom_plan"
        for n in range(8):
            conn.execute(count, {"s": n, "st": "closed"}).scalar()
        plans = conn.exec_driver_sql(
            "select generic_plans, custom_plans from pg_prepared_statements "
            "where statement like '%%station_id%%status%%'"
        ).all()
    assert plans, "psycopg prepared the statement"
    assert all(generic == 0 and custom >= 3 for generic, custom in plans), plans


def test_a_block_planned_as_written_puts_the_setting_back(engine):
    """Inside, joins keep their written order (join_collapse_limit 1); after, and after an
    error inside, the planner searches every order again."""
    limit = text("show join_collapse_limit")
    with engine.begin() as conn:
        default = conn.execute(limit).scalar()
        with planned_as_written(conn):
            assert conn.execute(limit).scalar() == "1"
        assert conn.execute(limit).scalar() == default != "1"
        with pytest.raises(ZeroDivisionError), planned_as_written(conn):
            raise ZeroDivisionError
        assert conn.execute(limit).scalar() == default
