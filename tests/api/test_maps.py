"""The map pages served by the API: scoped like the data, assets from this server only."""

from __future__ import annotations

from geogrid.maps.assets import external_urls
from tests.api.fixtures import auth


def test_the_county_page_loads_its_assets_from_this_server(client, users) -> None:
    answer = client.get("/maps/county.html?group=hazard&group=incident", headers=auth(users.admin))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert external_urls(page) == []
    assert "/static/maps/leaflet/leaflet.js" in page and "二级网格" in page
    script = client.get("/static/maps/leaflet/leaflet.js")
    assert script.status_code == 200 and "Leaflet" in script.text[:2000]


def test_a_station_sees_its_own_map_and_not_the_others(client, users, county) -> None:
    own = county.p01.station
    page = client.get(f"/maps/stations/{own}.html", headers=auth(users.p01))
    assert page.status_code == 200 and "派出所" in page.text
    other = client.get(f"/maps/stations/{own}.html", headers=auth(users.p02))
    assert other.status_code == 404
    assert client.get("/maps/county.html", headers=auth(users.p01)).status_code == 403


def test_assets_outside_the_folder_are_not_served(client) -> None:
    assert client.get("/static/maps/../../pgdata/PG_VERSION").status_code == 404
    assert client.get("/static/maps/%2e%2e/%2e%2e/pgdata/PG_VERSION").status_code == 404
    assert client.get("/static/maps/no/such.js").status_code == 404
