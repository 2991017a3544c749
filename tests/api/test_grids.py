"""Grids in the OGC API - Features style, versions, diffs and standing instructions."""

from __future__ import annotations

import shapely
from sqlalchemy import text

from geogrid.api.schemas.grids import Collections, GridFeature, GridFeatureCollection
from tests.api.fixtures import auth


def test_landing_page_and_conformance_need_no_token(client):
    assert {link["rel"] for link in client.get("/").json()["links"]} >= {"service-desc", "data"}
    assert any("geojson" in c for c in client.get("/conformance").json()["conformsTo"])


def test_collections_are_the_three_levels_with_extents(client, users):
    body = Collections.model_validate(client.get("/v1/collections", headers=auth(users.p01)).json())
    levels = body.collections[:3]
    assert [c.id for c in body.collections] == ["communities", "grids", "units", "reports"]
    assert all(c.extent.spatial.bbox[0][0] < c.extent.spatial.bbox[0][2] for c in levels)
    one = client.get("/v1/collections/units", headers=auth(users.p01)).json()
    assert one["id"] == "units" and any(link["rel"] == "items" for link in one["links"])


def test_items_are_geojson_paged_with_next_links(client, users):
    answer = client.get("/v1/collections/units/items", params={"limit": 5},
                        headers=auth(users.admin))  # fmt: skip
    assert answer.headers["content-type"] == "application/geo+json"
    page = GridFeatureCollection.model_validate(answer.json())
    assert page.numberReturned == 5 and page.numberMatched > 5
    assert [f.geometry["type"] for f in page.features] == ["MultiPolygon"] * 5
    codes = [f.id for f in page.features]
    assert codes == sorted(codes) and all(len(c) == 18 for c in codes)
    following = next(link.href for link in page.links if link.rel == "next")
    second = client.get(following, headers=auth(users.admin)).json()
    assert second["features"][0]["id"] > codes[-1]


def test_page_size_is_clamped_to_the_maximum(client, users, api_settings):
    page = client.get("/v1/collections/units/items", params={"limit": 10_000},
                      headers=auth(users.admin)).json()  # fmt: skip
    assert page["numberReturned"] == api_settings.max_page_size


def test_property_filters_and_bbox(client, county, users):
    place = county.p01
    by_community = client.get("/v1/collections/grids/items", params={"community": place.community},
                              headers=auth(users.admin)).json()  # fmt: skip
    assert {f["properties"]["community"] for f in by_community["features"]} == {place.community}
    by_code = client.get("/v1/collections/grids/items", params={"code": place.grid},
                         headers=auth(users.admin)).json()  # fmt: skip
    assert [f["id"] for f in by_code["features"]] == [place.grid]
    by_station = client.get("/v1/collections/communities/items",
                            params={"station": "370782P02", "limit": 20},
                            headers=auth(users.admin)).json()  # fmt: skip
    assert {f["properties"]["station"] for f in by_station["features"]} == {"370782P02"}
    box = f"{place.lon - 0.0001},{place.lat - 0.0001},{place.lon + 0.0001},{place.lat + 0.0001}"
    in_box = client.get("/v1/collections/units/items", params={"bbox": box},
                        headers=auth(users.admin)).json()  # fmt: skip
    assert place.unit in [f["id"] for f in in_box["features"]]


def test_simplification_keeps_fewer_vertices(client, county, users):
    def vertices(simplify: float) -> int:
        feature = client.get(f"/v1/grids/{county.p01.community}", params={"simplify": simplify},
                             headers=auth(users.admin)).json()  # fmt: skip
        return shapely.get_num_coordinates(shapely.geometry.shape(feature["geometry"]))

    assert vertices(50) < vertices(0)


def test_one_grid_by_code_has_its_responsible_person(client, county, users):
    feature = GridFeature.model_validate(
        client.get(f"/v1/grids/{county.p01.grid}", headers=auth(users.p01)).json())  # fmt: skip
    assert feature.properties.level == 2 and feature.properties.station == "370782P01"
    assert feature.properties.responsible.role == "grid_leader"
    same = client.get(f"/v1/collections/grids/items/{county.p01.grid}", headers=auth(users.p01))
    assert same.json()["id"] == county.p01.grid
    wrong_level = client.get(f"/v1/collections/units/items/{county.p01.grid}",
                             headers=auth(users.p01))  # fmt: skip
    assert wrong_level.status_code == 404


def test_a_station_sees_only_its_jurisdiction(client, county, users):
    page = client.get("/v1/collections/communities/items", params={"limit": 20},
                      headers=auth(users.p02)).json()  # fmt: skip
    assert page["features"] and {f["properties"]["station"] for f in page["features"]} == {
        "370782P02"
    }
    assert client.get(f"/v1/grids/{county.p01.grid}", headers=auth(users.p02)).status_code == 404


def test_grid_staff_see_their_own_grid_and_its_units(client, county, users):
    page = client.get("/v1/collections/units/items", params={"limit": 20},
                      headers=auth(users.staff01)).json()  # fmt: skip
    assert page["features"] and all(f["id"].startswith(county.p01.grid) for f in page["features"])
    grids = client.get("/v1/collections/grids/items", headers=auth(users.staff01)).json()
    assert [f["id"] for f in grids["features"]] == [county.p01.grid]


def test_versions_and_the_diff_of_a_version_with_itself(client, county, users):
    versions = client.get("/v1/grid-versions", headers=auth(users.admin)).json()
    active = [v for v in versions if v["status"] == "active"]
    assert len(active) == 1 and active[0]["units"] == len(county.index.units.ids)
    number = active[0]["id"]
    diff = client.get("/v1/grid-versions/diff", params={"old": number, "new": number},
                      headers=auth(users.admin)).json()  # fmt: skip
    assert diff == {"old": number, "new": number, "added": [], "removed": [], "changed": []}
    missing = client.get("/v1/grid-versions/diff", params={"old": number, "new": 9999},
                         headers=auth(users.admin))  # fmt: skip
    assert missing.status_code == 404 and missing.json()["field"] == "new"


def test_an_unknown_version_or_code_is_404(client, users):
    assert client.get("/v1/collections/units/items", params={"version": 9999},
                      headers=auth(users.admin)).json()["field"] == "version"  # fmt: skip
    assert client.get("/v1/grids/12345", headers=auth(users.admin)).status_code == 404
    assert client.get("/v1/grids/370782999999", headers=auth(users.admin)).status_code == 404


def test_standing_instructions_for_a_grid_reach_its_units(client, county, users):
    given = client.post(f"/v1/grids/{county.p01.grid}/instructions",
                        json={"text": "本周重点排查出租房屋"}, headers=auth(users.p01))  # fmt: skip
    assert given.status_code == 201 and given.json()["actor"] == "apitest-p01"
    try:
        seen = client.get(f"/v1/grids/{county.p01.unit}/instructions",
                          headers=auth(users.staff01)).json()  # fmt: skip
        assert [i["text"] for i in seen][:1] == ["本周重点排查出租房屋"]
        assert client.post(f"/v1/grids/{county.p01.grid}/instructions", json={"text": "x"},
                           headers=auth(users.p02)).status_code == 404  # fmt: skip
        assert client.post(f"/v1/grids/{county.p01.grid}/instructions", json={"text": ""},
                           headers=auth(users.p01)).status_code == 422  # fmt: skip
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("delete from grid_instructions where actor like 'apitest-%'"))
