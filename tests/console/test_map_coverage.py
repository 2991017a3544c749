"""The console map's coverage layer served from stored month figures (usecases/month_figures.py
stored_coverage): a second view within the max age is the stored answer, a max age of 0
computes afresh, and each station's figures hold only its own units."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from geogrid.access.errors import Forbidden
from geogrid.access.roles import Caller
from geogrid.api.app import create_app
from geogrid.errors import InputError
from geogrid.team.month_store import wait_for_refreshes
from geogrid.usecases.month_figures import stored_coverage
from geogrid.vocabulary import china_now
from tests.api.fixtures import auth

URL = "/console/map/coverage.json"


def _forget_coverage(engine) -> None:
    wait_for_refreshes()
    with engine.begin() as conn:
        conn.execute(text("delete from month_figures where kind = 'coverage'"))


@pytest.fixture
def kept(county, users, settings, api_settings) -> Iterator[TestClient]:
    """A client of an app whose stored figures live 300 s (the default), none stored yet."""
    _forget_coverage(county.engine)
    young = settings.model_copy(update={"figures_max_age_s": 300})
    app = create_app(young, api_settings, engine=county.engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    _forget_coverage(county.engine)


def _walk_through(client, users, place, name: str) -> int:
    """A stopped patrol of p01's leader through the place's unit; its id."""
    started = china_now().replace(microsecond=0) - timedelta(minutes=6)
    start = {"client_id": name, "started_at": started.isoformat()}
    walk = client.post("/v1/patrols", headers=auth(users.staff01), json=start)
    assert walk.status_code == 200, walk.text
    patrol = walk.json()["patrol"]["id"]
    points = [{"at": (started + timedelta(seconds=10 * i)).isoformat(), "accuracy_m": 5.0,
               "lon": place.lon + 0.0001 * i, "lat": place.lat} for i in range(6)]  # fmt: skip
    batch = {"batch_id": f"{name}-b1", "points": points}
    sent = client.post(f"/v1/patrols/{patrol}/points", headers=auth(users.staff01), json=batch)
    assert sent.json()["stored"] == 6, sent.text
    stop = {"stopped_at": (started + timedelta(minutes=2)).isoformat()}
    client.post(f"/v1/patrols/{patrol}/stop", headers=auth(users.staff01), json=stop)
    return patrol


def _drop_patrol(engine, patrol: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("delete from patrol_points where patrol_id = :p"), {"p": patrol})
        conn.execute(text("delete from patrols where id = :p"), {"p": patrol})


def test_a_second_view_within_the_max_age_serves_the_stored_coverage(kept, client, county, users):
    """A patrol added after the first view leaves the second view's answer as it was; a
    view with max age 0 computes it afresh and stores that, which the kept app then serves."""
    place = county.p01
    first = kept.get(URL, headers=auth(users.p01)).json()
    patrol = _walk_through(client, users, place, "covstore-1")
    try:
        second = kept.get(URL, headers=auth(users.p01)).json()
        fresh = client.get(URL, headers=auth(users.p01)).json()  # max age 0 (tests' settings)
        served = kept.get(URL, headers=auth(users.p01)).json()
    finally:
        _drop_patrol(county.engine, patrol)
    assert second == first
    before, after = first["units"][place.unit], fresh["units"][place.unit]
    assert after[2] == before[2] + 1 and after[1] > before[1]  # one more patrol, more covered
    assert served == fresh
    at = datetime.fromisoformat(first["computed_at"])
    assert first["computed_at"].endswith("+08:00")
    assert abs((china_now() - at).total_seconds()) < 120
    assert datetime.fromisoformat(fresh["computed_at"]) >= at


def test_each_station_stores_and_reads_only_its_own_units(kept, county, users):
    mine = kept.get(URL, headers=auth(users.p01)).json()["units"]
    every = kept.get(URL, headers=auth(users.admin)).json()["units"]
    theirs = kept.get(URL, headers=auth(users.p02)).json()["units"]
    assert county.p01.unit in mine and county.p02.unit not in mine
    assert county.p02.unit in theirs and county.p01.unit not in theirs
    assert set(mine) | set(theirs) <= set(every) and not set(mine) & set(theirs)
    with county.engine.connect() as conn:
        stored = dict(conn.execute(text(
            "select scope, jsonb_array_length(rows) from month_figures where kind = 'coverage'"
        )).all())  # fmt: skip
    assert stored == {"370782P01": len(mine), "370782P02": len(theirs), "county": len(every)}


def test_stored_coverage_names_a_bad_month_and_refuses_a_role_without_it(county_conn):
    admin = Caller(0, "t-coverage", "county_admin")
    with pytest.raises(InputError, match="month") as error:
        stored_coverage(county_conn.engine, county_conn, admin, "2026-13", 300)
    assert error.value.field == "month"
    with pytest.raises(Forbidden):
        stored_coverage(county_conn.engine, county_conn, Caller(0, "t", "department"),
                        "2026-06", 300)  # fmt: skip
