"""GET /v1/lookup: the point's grids and people, CRS handling, scope and errors."""

from __future__ import annotations

import numpy as np
import pytest

from geogrid.api.schemas.lookup import LookupOut
from geogrid.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from geogrid.reports.assign import china_days, people_on_duty, place_points
from tests.api.fixtures import auth


def test_a_point_inside_a_unit_gives_its_grids_people_and_station(client, county, users):
    place = county.p01
    answer = client.get("/v1/lookup", params={"lon": place.lon, "lat": place.lat},
                        headers=auth(users.admin))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = LookupOut.model_validate(answer.json()).model_dump()
    assert body["method"] == "inside" and body["edge_distance_m"] > 0
    assert (body["unit"]["code"], body["grid"]["code"], body["community"]["code"]) == (
        place.unit,
        place.grid,
        place.community,
    )
    assert body["station"]["code"] == "370782P01"
    index = county.index
    placement = place_points(index, np.array([place.lon]), np.array([place.lat]))
    people = people_on_duty(index, placement, china_days(np.array([1_780_000_000])))
    assert body["leader"]["name"] == index.people[int(people.leader[0])][0]
    assert body["officer"]["phone"] == index.people[int(people.officer[0])][1]
    assert body["police"]["name"] == index.people[int(people.police[0])][0]
    assert body["version"] == index.version_id


@pytest.mark.parametrize("crs, convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_chinese_offset_coordinates_find_the_same_unit(client, county, users, crs, convert):
    lon, lat = convert(county.p01.lon, county.p01.lat)
    answer = client.get("/v1/lookup", params={"lon": lon, "lat": lat, "crs": crs},
                        headers=auth(users.admin)).json()  # fmt: skip
    assert answer["unit"]["code"] == county.p01.unit
    assert answer["lon"] == pytest.approx(county.p01.lon, abs=1e-7)


def test_a_point_far_outside_is_unassigned_not_an_error(client, county, users):
    answer = client.get("/v1/lookup", params={"lon": county.p01.lon + 0.5, "lat": county.p01.lat},
                        headers=auth(users.p01)).json()  # fmt: skip
    assert answer["method"] == "unassigned" and answer["unit"] is None
    assert answer["edge_distance_m"] is None and answer["leader"] is None


def test_duty_on_a_day_before_anyone_was_staffed_is_empty(client, county, users):
    params = {"lon": county.p01.lon, "lat": county.p01.lat, "day": "2020-01-01"}
    answer = client.get("/v1/lookup", params=params, headers=auth(users.admin))
    assert answer.json()["unit"]["code"] == county.p01.unit
    assert answer.json()["leader"] is None and answer.json()["officer"] is None


def test_a_station_cannot_look_up_in_another_jurisdiction(client, county, users):
    params = {"lon": county.p01.lon, "lat": county.p01.lat}
    assert client.get("/v1/lookup", params=params, headers=auth(users.p01)).status_code == 200
    answer = client.get("/v1/lookup", params=params, headers=auth(users.p02))
    assert answer.status_code == 404 and "leader" not in answer.text


@pytest.mark.parametrize(
    "params, field",
    [({"lon": 200, "lat": 36}, "lon"), ({"lon": 119, "lat": 95}, "lat"),
     ({"lon": 119.4, "lat": 36, "crs": "EPSG:99999"}, "crs"), ({"lat": 36}, "lon"),
     ({"lon": "east", "lat": 36}, "lon"), ({"lon": "nan", "lat": 36}, "lon")],
)  # fmt: skip
def test_bad_points_are_problems_naming_the_field(client, users, params, field):
    answer = client.get("/v1/lookup", params=params, headers=auth(users.admin))
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == field


def test_no_token_is_401_and_a_department_is_403(client, county, users):
    params = {"lon": county.p01.lon, "lat": county.p01.lat}
    answer = client.get("/v1/lookup", params=params)
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/lookup", params=params, headers=auth(users.fire)).status_code == 403
