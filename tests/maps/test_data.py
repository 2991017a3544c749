"""Reading what a web map shows from PostGIS: grids and people, filters, server aggregation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from sqlalchemy import Connection, Engine, text

from geogrid.errors import InputError, NotFoundError
from geogrid.maps.data import read_map_data
from geogrid.maps.reports import Area, ReportFilter, read_report_cells
from tests.maps import NEWEST_TEXT, POINTS_PER_UNIT, county_with_reports


@pytest.fixture(scope="module")
def map_connection(county_engine: Engine) -> Iterator[Connection]:
    """The tiny county with reports, for this module."""
    with county_with_reports(county_engine) as conn:
        yield conn


_COUNT_SQL = """
select count(*) from reports r join report_categories c on c.id = r.category_id
where r.geom is not null and coalesce(c.heat_group, 'other') = any(:groups)
  and r.reported_at >= :start and r.reported_at < :end
"""


def _count(conn: Connection, groups, start="2000-01-01", end="2100-01-01") -> int:
    bounds = {"start": f"{start} 00:00+08", "end": f"{end} 00:00+08"}
    return conn.scalar(text(_COUNT_SQL), {"groups": list(groups), **bounds})


_GRIDS_PER_LEVEL = """select g.level, count(*) from grids g
join grid_versions v on v.id = g.version_id and v.status = 'active' group by g.level"""


def test_county_grids_carry_the_people_on_duty(map_connection: Connection) -> None:
    data = read_map_data(map_connection, day=date(2025, 6, 1))
    stored = dict(map_connection.execute(text(_GRIDS_PER_LEVEL)).all())
    assert {level: len(grids) for level, grids in data.grids.items()} == stored
    assert stored[1] == 4 and stored[2] == 26
    unit = data.grids[3][0]
    assert unit.officers and unit.leaders and unit.police
    assert all(person.name and person.phone for person in unit.officers + unit.leaders)
    assert all(not g.officers for g in data.grids[2])  # officers belong to units
    assert data.streets and all(street.geometry.length > 0 for street in data.streets)
    assert data.station is None and data.title.endswith("网格与上报")


def test_nobody_is_on_duty_before_staffing_began(map_connection: Connection) -> None:
    data = read_map_data(map_connection, day=date(2024, 12, 31))
    assert not any(g.leaders or g.officers or g.police for g in data.grids[3])


def test_heat_cells_and_totals_count_every_report_once(map_connection: Connection) -> None:
    data = read_map_data(map_connection)
    everything = ("hazard", "incident", "other")
    assert data.report_total == _count(map_connection, everything) > 100 * POINTS_PER_UNIT
    for group in ("hazard", "incident"):
        cells = data.heat[group]
        assert cells.count.sum() == data.totals[group] == _count(map_connection, [group])
        assert len(cells.count) < cells.count.sum()  # nearby reports share a cell
        assert 119 < cells.dx * cells.ix.mean() < 120 and 35 < cells.dy * cells.iy.mean() < 37
    assert "other" not in data.heat


def test_filters_limit_dates_and_groups(map_connection: Connection) -> None:
    filters = ReportFilter(date(2025, 3, 1), date(2025, 3, 31), ("hazard",), marker_limit=5)
    data = read_map_data(map_connection, filters=filters)
    assert set(data.totals) == {"hazard"} and set(data.heat) == {"hazard"}
    assert data.report_total == _count(map_connection, ["hazard"], "2025-03-01", "2025-04-01")
    assert 0 < data.report_total < 100
    assert len(data.reports) == 5 and all(r.group == "hazard" for r in data.reports)
    assert all(date(2025, 3, 1) <= r.reported_at.date() <= date(2025, 3, 31) for r in data.reports)


def test_markers_are_the_newest_reports(map_connection: Connection) -> None:
    data = read_map_data(map_connection, filters=ReportFilter(marker_limit=20))
    times = [report.reported_at for report in data.reports]
    assert len(times) == 20 and times == sorted(times, reverse=True)
    newest = data.reports[0]
    assert newest.text == NEWEST_TEXT and newest.category == "矛盾纠纷" and newest.grid
    assert data.report_total > 20


def test_month_counts_per_level2_code(map_connection: Connection) -> None:
    data = read_map_data(map_connection, filters=ReportFilter(month=date(2025, 6, 15)))
    everything = ("hazard", "incident", "other")
    in_june = _count(map_connection, everything, "2025-06-01", "2025-07-01")
    assert sum(data.month_counts.values()) == in_june > 0
    assert set(data.month_counts) <= {grid.code for grid in data.grids[2]}


def test_station_map_holds_only_its_communities(map_connection: Connection) -> None:
    station_id, code = map_connection.execute(
        text("select s.id, s.code from stations s join station_communities c on c.station_id = s.id"
             " order by s.code limit 1")
    ).one()  # fmt: skip
    communities = set(
        map_connection.scalars(
            text("select community_code from station_communities where station_id = :s"),
            {"s": station_id},
        )
    )
    data = read_map_data(map_connection, station=code)
    assert data.station and data.station in data.title
    assert {g.code[:12] for level in data.grids.values() for g in level} <= communities
    assert len(data.grids[1]) == len(communities) < 4
    county = read_map_data(map_connection)
    assert 0 < data.report_total < county.report_total
    assert read_map_data(map_connection, station=station_id).report_total == data.report_total


def test_unknown_station_is_not_found(map_connection: Connection) -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        read_map_data(map_connection, station="NOPE")


def test_cells_grow_until_few_enough(map_connection: Connection) -> None:
    bounds = read_map_data(map_connection).bounds()
    fine = read_report_cells(map_connection, Area(), ReportFilter(), bounds)["hazard"]
    few = ReportFilter(max_cells=10)
    coarse = read_report_cells(map_connection, Area(), few, bounds)["hazard"]
    assert len(coarse.count) <= 10 < len(fine.count)
    assert coarse.count.sum() == fine.count.sum()
    assert coarse.cell_m >= 4 * fine.cell_m and np.isclose(coarse.dx / fine.dx, coarse.cell_m / 75)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"groups": ("hazard", "weather")}, "groups"),
        ({"groups": ()}, "groups"),
        ({"date_from": date(2025, 2, 1), "date_to": date(2025, 1, 1)}, "date_from"),
        ({"marker_limit": 10**6}, "marker_limit"),
        ({"cell_m": 0}, "cell_m"),
    ],
)
def test_bad_filters_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        ReportFilter(**kwargs)
    assert caught.value.field == field
