"""The streets inside a grid (GET /v1/grids/{code}/streets): lines cut at the grid's edge."""

from __future__ import annotations

import shapely
from shapely.geometry import shape
from sqlalchemy import text

from tests.api.fixtures import auth


def _grid_with_streets(county) -> str:
    with county.engine.connect() as conn:
        return conn.execute(text(
            "select g.code from grids g join grid_versions v on v.id = g.version_id "
            "and v.status = 'active' join source_streets s on st_intersects(s.geom, g.geom) "
            "where g.level = 2 and left(g.code, 12) = :c group by g.code "
            "order by count(*) desc limit 1"),
            {"c": county.p01.community}).scalar_one()  # fmt: skip


def test_a_grids_streets_are_cut_at_its_edge(client, county, users):
    code = _grid_with_streets(county)
    answer = client.get(f"/v1/grids/{code}/streets", headers=auth(users.admin))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/geo+json"
    features = answer.json()["features"]
    assert features and all(f["geometry"]["type"] in ("LineString", "MultiLineString")
                            for f in features)  # fmt: skip
    grid = shape(client.get(f"/v1/grids/{code}", headers=auth(users.admin)).json()["geometry"])
    for feature in features:
        line = shape(feature["geometry"])
        assert shapely.covers(grid.buffer(1e-6), line), feature["properties"]
    assert client.get(f"/v1/grids/{code}/streets", headers=auth(users.p02)).status_code == 404
