"""The in-memory index follows the database: a new active version or roster reloads it."""

from __future__ import annotations

from sqlalchemy import Engine, text

from geogrid.reports.index import IndexCache


def test_the_cache_reloads_when_the_active_version_changes(reports_engine: Engine, redrawn):
    cache = IndexCache(reports_engine, ttl=0)
    first = cache.get()
    assert cache.get() is first, "nothing changed: the same index"
    swap = ("update grid_versions set status = case when id = :new then 'active' "
            "when status = 'active' then 'retired' else status end")  # fmt: skip
    with reports_engine.begin() as conn:
        old = conn.execute(text("select id from grid_versions where status = 'active'")).scalar()
        conn.execute(text(swap), {"new": redrawn})
    try:
        assert cache.get().version_id == redrawn
    finally:
        with reports_engine.begin() as conn:
            conn.execute(text(swap), {"new": old})
    assert cache.get().version_id == old


def test_the_cache_reloads_when_the_roster_changes(reports_engine: Engine, county_index):
    cache = IndexCache(reports_engine, ttl=0)
    first = cache.get()
    code = county_index.levels[2].codes[0]
    with reports_engine.begin() as conn:
        conn.execute(text(_END_DUTY.format("current_date - 1")), {"c": code})
    try:
        assert cache.get() is not first
    finally:
        with reports_engine.begin() as conn:
            conn.execute(text(_END_DUTY.format("null")), {"c": code})


def test_a_long_ttl_does_not_ask_the_database_each_time(reports_engine: Engine) -> None:
    cache = IndexCache(reports_engine, ttl=3600)
    first = cache.get()
    with reports_engine.begin() as conn:
        conn.execute(text("update people set active = not active where id = (select min(id) "
                          "from people)"))  # fmt: skip
    try:
        assert cache.get() is first, "within the ttl the cached index is served"
    finally:
        with reports_engine.begin() as conn:
            conn.execute(text("update people set active = not active where id = (select min(id) "
                              "from people)"))  # fmt: skip


_END_DUTY = (
    "update grid_assignments set valid_to = {} where grid_code = :c and role = 'grid_leader'"
)
