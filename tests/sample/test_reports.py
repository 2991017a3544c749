"""Sample reports on the tiny sample county: columns, determinism, placement, times, texts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geogrid.errors import UnreadableFileError
from geogrid.geo.crs import gcj02_to_wgs84
from geogrid.sample.reports import (
    CATEGORY_SHARES,
    COLUMNS,
    DEFAULT_START,
    HAZARDS,
    INCIDENTS,
    ReportsSummary,
    generate_sample_reports,
)
from geogrid.vocabulary import CHINA_TZ

TINY = Path(__file__).resolve().parents[2] / "boundaries" / "sample" / "zhucheng_tiny.gpkg"
METRES = "EPSG:4549"
COUNT = 20_000
SEED = 11


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportsSummary, pd.DataFrame]:
    """20,000 reports on the tiny county, and the CSV read back as text."""
    path = tmp_path_factory.mktemp("reports") / "reports.csv"
    messages: list[str] = []
    summary = generate_sample_reports(TINY, COUNT, SEED, path, progress=messages.append)
    assert len(messages) >= 3
    return summary, pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def county() -> shapely.Geometry:
    """The tiny county's outline in metres."""
    return pyogrio.read_dataframe(TINY, layer="county").to_crs(METRES).geometry.union_all()


def _wgs84_points(frame: pd.DataFrame) -> gpd.GeoSeries:
    """Rows with usable numbers as WGS-84 points in metres (GCJ-02 rows converted back)."""
    lon = frame["lon"].astype(float).to_numpy(copy=True)
    lat = frame["lat"].astype(float).to_numpy(copy=True)
    gcj = (frame["crs"] == "gcj02").to_numpy()
    lon[gcj], lat[gcj] = gcj02_to_wgs84(lon[gcj], lat[gcj])
    return gpd.GeoSeries(shapely.points(lon, lat), index=frame.index, crs=4326).to_crs(METRES)


def _usable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose lon/lat are numbers in range, the right way round."""
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    return frame[lon.between(73, 136) & lat.between(3, 54)]


def test_columns_ids_and_summary(generated: tuple[ReportsSummary, pd.DataFrame]) -> None:
    summary, frame = generated
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == summary.count == COUNT
    assert frame["client_request_id"].is_unique
    assert frame["client_request_id"].iloc[0] == f"sample-{SEED}-0000001"
    assert summary.categories == frame["category"].value_counts().reindex(CATEGORY_SHARES).to_dict()
    assert summary.gcj02 == (frame["crs"] == "gcj02").sum()
    assert summary.cgcs2000 == (frame["crs"] == "EPSG:4490").sum()
    assert set(frame["crs"]) == {"gcj02", "EPSG:4490", "EPSG:4326"}
    assert (summary.outside_near, summary.outside_far, summary.bad) == (60, 20, 20)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate_sample_reports(TINY, 3_000, 5, first)
    generate_sample_reports(TINY, 3_000, 5, again)
    generate_sample_reports(TINY, 3_000, 6, other)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_categories_follow_the_documented_shares(
    generated: tuple[ReportsSummary, pd.DataFrame],
) -> None:
    _, frame = generated
    assert sum(CATEGORY_SHARES.values()) == pytest.approx(1.0)
    assert set(frame["category"]) == set(CATEGORY_SHARES)
    observed = frame["category"].value_counts(normalize=True)
    for code, share in CATEGORY_SHARES.items():
        tolerance = 4 * math.sqrt(share * (1 - share) / COUNT) + 0.002
        assert abs(observed[code] - share) < tolerance, code
    basic = ["population", "rental_housing", "housing", "organisation"]
    assert observed[basic].sum() > 0.6 > observed[list(HAZARDS + INCIDENTS)].sum()


def test_rows_lie_inside_just_outside_or_far_outside(
    generated: tuple[ReportsSummary, pd.DataFrame], county: shapely.Geometry
) -> None:
    summary, frame = generated
    usable = _usable(frame)
    assert len(frame) - len(usable) == summary.bad
    distance = _wgs84_points(usable).distance(county)
    assert (distance == 0).sum() == COUNT - summary.outside_near - summary.outside_far - summary.bad
    assert distance.between(20, 40).sum() == summary.outside_near
    assert distance.between(2_000, 10_000).sum() == summary.outside_far


def test_gcj02_rows_convert_back_into_the_county(
    generated: tuple[ReportsSummary, pd.DataFrame], county: shapely.Geometry
) -> None:
    _, frame = generated
    gcj = frame[frame["crs"] == "gcj02"]
    assert 0.18 < len(gcj) / COUNT < 0.22
    back = _wgs84_points(gcj)
    assert back.within(county).mean() > 0.99
    # Taken as WGS-84 they lie hundreds of metres off: they really are shifted.
    as_is = gpd.GeoSeries(
        shapely.points(gcj["lon"].astype(float), gcj["lat"].astype(float)), crs=4326
    ).to_crs(METRES)
    shift = as_is.distance(back.reset_index(drop=True))
    assert shift.between(100, 700).all()


def test_bad_rows_are_a_mix_of_kinds(generated: tuple[ReportsSummary, pd.DataFrame]) -> None:
    summary, frame = generated
    bad = frame.drop(_usable(frame).index)
    assert len(bad) == summary.bad
    assert (bad["crs"] == "EPSG:4326").all()
    missing = (bad["lon"] == "") & (bad["lat"] == "")
    nan = (bad["lon"] == "nan") & (bad["lat"] == "nan")
    lon = pd.to_numeric(bad["lon"], errors="coerce")
    lat = pd.to_numeric(bad["lat"], errors="coerce")
    swapped = lon.between(30, 40) & lat.between(115, 125)
    out_of_range = lon > 180
    assert missing.sum() == nan.sum() == swapped.sum() == out_of_range.sum() == summary.bad // 4


def test_hazards_and_incidents_gather_at_hotspots(
    generated: tuple[ReportsSummary, pd.DataFrame],
) -> None:
    summary, frame = generated
    usable = _usable(frame)
    points = _wgs84_points(usable)
    population = (usable["category"] == "population").to_numpy()
    for group, codes in (("hazard", HAZARDS), ("incident", INCIDENTS)):
        assert 3 <= len(summary.hotspots[group]) <= 8
        hottest = gpd.GeoSeries([shapely.Point(summary.hotspots[group][0])], crs=4326)
        near = (points.distance(hottest.to_crs(METRES).iloc[0]) < 500).to_numpy()
        clustered = usable["category"].isin(codes).to_numpy()
        share, baseline = near[clustered].mean(), near[population].mean()
        assert share > 0.15 and share > 3 * baseline, group


def test_times_follow_a_working_day_over_a_year(
    generated: tuple[ReportsSummary, pd.DataFrame],
) -> None:
    _, frame = generated
    assert frame["reported_at"].str.endswith("+08:00").all()
    times = pd.to_datetime(frame["reported_at"], format="ISO8601")
    assert times.is_monotonic_increasing
    assert times.min() >= DEFAULT_START - timedelta(days=365)
    assert times.max() < DEFAULT_START
    local = times.dt.tz_convert(CHINA_TZ)
    assert local.dt.hour.between(8, 19).mean() > 0.8
    per_day = local.dt.date.value_counts()
    weekend = pd.to_datetime(per_day.index).day_of_week >= 5
    assert per_day[weekend].mean() < 0.7 * per_day[~weekend].mean()


def test_start_moves_the_year(tmp_path: Path) -> None:
    path = tmp_path / "reports.csv"
    generate_sample_reports(TINY, 500, 1, path, start=datetime(2025, 7, 1, 9, 30))
    times = pd.to_datetime(pd.read_csv(path, dtype=str)["reported_at"], format="ISO8601")
    start = datetime(2025, 7, 1, tzinfo=CHINA_TZ)
    assert times.min() >= start - timedelta(days=365) and times.max() < start


def test_reporters_and_texts_are_plausible(
    generated: tuple[ReportsSummary, pd.DataFrame],
) -> None:
    _, frame = generated
    people = pyogrio.read_dataframe(TINY, layer="people")
    staff = people[people["角色"].isin(["网格信息员", "网格长"])]
    assert set(frame["reporter"]) <= set(staff["人员编号"])
    assert frame["text"].str.len().between(4, 60).all()
    addresses = set(pyogrio.read_dataframe(TINY, layer="households")["地址"])
    rental = frame.loc[frame["text"].str.startswith("新增出租房屋登记："), "text"]
    assert len(rental) > 100
    assert rental.str.removeprefix("新增出租房屋登记：").isin(addresses).all()


def test_population_reporters_work_where_the_report_is(
    generated: tuple[ReportsSummary, pd.DataFrame],
) -> None:
    _, frame = generated
    rows = _usable(frame)
    rows = rows[rows["category"] == "population"]
    communities = pyogrio.read_dataframe(TINY, layer="communities").to_crs(METRES)
    located = gpd.sjoin(
        gpd.GeoDataFrame(rows, geometry=_wgs84_points(rows)), communities, predicate="within"
    )
    people = pyogrio.read_dataframe(TINY, layer="people").set_index("人员编号")
    home = people.loc[located["reporter"], "社区代码"].to_numpy()
    assert (home == located["社区代码"].to_numpy()).mean() > 0.95


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="count"):
        generate_sample_reports(TINY, 0, 1, tmp_path / "r.csv")
    with pytest.raises(ValueError, match="seed"):
        generate_sample_reports(TINY, 10, -1, tmp_path / "r.csv")
    with pytest.raises(UnreadableFileError, match="cannot be opened"):
        generate_sample_reports(tmp_path / "none.gpkg", 10, 1, tmp_path / "r.csv")
    assert not (tmp_path / "r.csv").exists()
