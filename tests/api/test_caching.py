"""Answers to a signed-in caller carry Cache-Control: no-store unless the route chose
its own caching: clients (QGIS's network cache, browsers) must not keep scoped answers."""

from __future__ import annotations

from tests.api.fixtures import auth


def test_a_callers_answers_are_not_stored(client, users):
    for path in ("/v1/collections/grids/items?limit=1", "/v1/me", "/v1/reports?limit=1"):
        got = client.get(path, headers=auth(users.admin))
        assert got.status_code == 200, path
        assert got.headers["cache-control"] == "no-store", path
    refused = client.get("/v1/me", headers=auth("not-a-token"))
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


def test_routes_with_their_own_caching_keep_it(client, users, county):
    tile = client.get("/v1/tiles/WebMercatorQuad/0/0/0", headers=auth(users.admin))
    assert tile.headers["cache-control"].startswith("private")


def test_public_answers_are_left_alone(client):
    landing = client.get("/v1/")
    assert landing.status_code == 200 and "cache-control" not in landing.headers
