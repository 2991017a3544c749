"""Deterministic sample reports for a sample county, written as one UTF-8 CSV.

The rows look like a year of what grid leaders and information officers upload from their
phones: mostly basic-information updates near households, hazards and incidents gathered
around a few hotspots, a fifth in GCJ-02 (AMap) coordinates, a few in CGCS2000, a few just
or far outside the county and a few with broken coordinates. Same inputs and seed, same bytes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyproj

from geogrid.geo.crs import wgs84_to_gcj02
from geogrid.sample.reports_content import (
    china_time,
    iso_times,
    report_texts,
    report_times,
)
from geogrid.sample.reports_county import ReportCounty, pick_reporters, read_report_county
from geogrid.sample.reports_csv import COLUMNS, write_reports_csv
from geogrid.sample.reports_place import Placement, place_reports

__all__ = [
    "CATEGORY_SHARES",
    "COLUMNS",
    "DEFAULT_START",
    "HAZARDS",
    "INCIDENTS",
    "ReportsSummary",
    "generate_sample_reports",
]

# Share of each category among all reports. Basic information (八大类基础信息) is most of an
# assistant's daily work (the source case: 26,000+ items against 210+ hazards and 250+
# disputes), led by population and rental housing; dynamic information is about a fifth.
# Hazards and incidents are kept above the source case's share so their heatmaps have data.
CATEGORY_SHARES: dict[str, float] = {
    # basic information (基础信息): 78 %
    "population": 0.30,  # 实有人口
    "rental_housing": 0.16,  # 出租房屋
    "housing": 0.12,  # 实有房屋
    "organisation": 0.07,  # 实有单位
    "key_unit": 0.04,  # 重点单位
    "special_group": 0.04,  # 特殊人群
    "key_person": 0.03,  # 重点人员
    "dangerous_goods": 0.02,  # 危险物品 (a hazard)
    # dynamic information (动态信息): 22 %
    "fire_hazard": 0.03,  # 消防隐患 (a hazard)
    "work_safety": 0.025,  # 安全生产隐患 (a hazard)
    "environment": 0.02,  # 环保 (a hazard)
    "land": 0.015,  # 国土
    "culture_edu_health": 0.02,  # 文教卫生
    "civil_affairs": 0.03,  # 民政
    "public_security": 0.025,  # 治安 (an incident)
    "dispute": 0.03,  # 矛盾纠纷 (an incident)
    "traffic": 0.015,  # 交通安全 (an incident)
    "urban_management": 0.01,  # 城市管理
}
CATEGORIES = tuple(CATEGORY_SHARES)
# Clustered around hotspots, one set of hotspots (one heatmap) per group.
HAZARDS = ("dangerous_goods", "work_safety", "fire_hazard", "environment")
INCIDENTS = ("public_security", "dispute", "traffic")
HEAT_GROUPS = {"hazard": HAZARDS, "incident": INCIDENTS}

GCJ02_SHARE = 0.20  # phone apps on AMap/Tencent maps
CGCS2000_SHARE = 0.03  # official systems: EPSG:4490, the same numbers as WGS-84 to the metre
NEAR_SHARE = 0.003  # 20-40 m outside the edge: GPS error a 50 m tolerance forgives
FAR_SHARE = 0.001  # 2-10 km outside: a report filed elsewhere
BAD_SHARE = 0.001  # coordinates that cannot be used as given
BAD_KINDS = ("missing", "nan", "swapped", "out_of_range")
DEFAULT_START = datetime.fromisoformat("2026-11-01T00:00:00+08:00")  # fixed, not now: same bytes
DECIMALS = 7  # about 1 cm, as phones and files deliver (reports_csv writes .7f too)


@dataclass(frozen=True)
class ReportsSummary:
    """What was written: row counts by category, coordinate system and kind of placement."""

    path: Path
    count: int
    seed: int
    categories: dict[str, int]  # rows per category code, in CATEGORY_SHARES order
    gcj02: int  # rows with crs gcj02
    cgcs2000: int  # rows with crs EPSG:4490
    outside_near: int  # 20-40 m outside the county outline
    outside_far: int  # 2-10 km outside
    bad: int  # missing, 'nan', swapped or out-of-range coordinates
    hotspots: dict[str, tuple[tuple[float, float], ...]]  # heat group -> WGS-84, hottest first


def generate_sample_reports(
    county_gpkg: Path,
    count: int,
    seed: int,
    out_path: Path,
    *,
    start: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportsSummary:
    """Write `count` sample reports for the sample county in `county_gpkg` to the CSV `out_path`.

    Reports fall in the 365 days before `start`'s day (default 2026-11-01, China time). The
    same file, count, seed and start give a byte-identical CSV. `progress` hears each step.
    """
    _check_arguments(count, seed, start)
    say = progress or (lambda _message: None)
    rngs = np.random.default_rng(seed).spawn(5)  # one stream per concern: each stays stable
    say(f"reading {county_gpkg}")
    county = read_report_county(Path(county_gpkg))
    say(f"placing {count:,} reports")
    category = _draw_categories(rngs[0], count)
    near, far, bad = _special_rows(rngs[1], count)
    placement = place_reports(
        rngs[2], county, _heat_group(category), len(HEAT_GROUPS) + 1, near, far
    )
    say("times, reporters and texts")
    columns, order = _columns(rngs[3], county, category, placement, start)
    crs = _crs_column(rngs[4], count, bad)
    columns["lon"], columns["lat"] = _in_row_crs(columns["lon"], columns["lat"], crs)
    columns["crs"] = crs
    broken = _broken_coordinates(columns["lon"], columns["lat"], bad)
    say(f"writing {out_path}")
    write_reports_csv(Path(out_path), f"sample-{seed}-", columns, order, broken)
    return ReportsSummary(
        path=Path(out_path),
        count=count,
        seed=seed,
        categories=_category_counts(category),
        gcj02=int((crs == "gcj02").sum()),
        cgcs2000=int((crs == "EPSG:4490").sum()),
        outside_near=len(near),
        outside_far=len(far),
        bad=len(bad),
        hotspots=_hotspots_lonlat(county, placement),
    )


def _check_arguments(count: int, seed: int, start: datetime | None) -> None:
    """Early, clear errors for arguments the generator cannot use."""
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if start is not None and not isinstance(start, datetime):
        raise ValueError(f"start must be a datetime, got {start!r}")


def _draw_categories(rng: np.random.Generator, count: int) -> np.ndarray:
    """A category index per report, drawn by CATEGORY_SHARES."""
    cumulative = np.cumsum(list(CATEGORY_SHARES.values()))
    return np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")


def _category_counts(category: np.ndarray) -> dict[str, int]:
    """Rows per category code, every code present."""
    counts = np.bincount(category, minlength=len(CATEGORIES)).tolist()
    return dict(zip(CATEGORIES, counts, strict=True))


def _heat_group(category: np.ndarray) -> np.ndarray:
    """0 for ordinary categories, 1, 2 ... for the categories of each heat group."""
    group_of = np.zeros(len(CATEGORIES), dtype=np.int64)
    for number, codes in enumerate(HEAT_GROUPS.values(), start=1):
        group_of[[CATEGORIES.index(code) for code in codes]] = number
    return group_of[category]


def _special_rows(rng: np.random.Generator, count: int) -> tuple[np.ndarray, ...]:
    """Rows (sorted) placed just outside, far outside, and with bad coordinates."""
    sizes = [round(count * share) for share in (NEAR_SHARE, FAR_SHARE, BAD_SHARE)]
    chosen = rng.choice(count, size=sum(sizes), replace=False)
    bounds = np.cumsum([0, *sizes])
    return tuple(np.sort(chosen[a:b]) for a, b in itertools.pairwise(bounds))


def _columns(
    rng: np.random.Generator,
    county: ReportCounty,
    category: np.ndarray,
    placement: Placement,
    start: datetime | None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every column but crs in generation order (lon/lat as WGS-84 floats), and time order."""
    is_incident = np.isin(category, [CATEGORIES.index(code) for code in INCIDENTS])
    times = report_times(rng, china_time(start, DEFAULT_START), is_incident)
    to_lonlat = pyproj.Transformer.from_crs(county.epsg, 4326, always_xy=True)
    lon, lat = to_lonlat.transform(placement.xy[:, 0], placement.xy[:, 1])
    columns = {
        "category": np.asarray(CATEGORIES, dtype=object)[category],
        "lon": np.asarray(lon),
        "lat": np.asarray(lat),
        "reported_at": iso_times(times),
        "reporter": pick_reporters(rng, county, placement.home),
        "text": report_texts(rng, CATEGORIES, category, county.addresses[placement.home]),
    }
    return columns, np.argsort(times, kind="stable")


def _crs_column(rng: np.random.Generator, count: int, bad: np.ndarray) -> np.ndarray:
    """gcj02 for GCJ02_SHARE of the rows, EPSG:4490 for CGCS2000_SHARE, EPSG:4326 else."""
    draw = rng.random(count)
    crs = np.full(count, "EPSG:4326", dtype=object)
    crs[draw < GCJ02_SHARE] = "gcj02"
    crs[(draw >= GCJ02_SHARE) & (draw < GCJ02_SHARE + CGCS2000_SHARE)] = "EPSG:4490"
    crs[bad] = "EPSG:4326"  # a broken coordinate is broken in any system
    return crs


def _in_row_crs(lon: np.ndarray, lat: np.ndarray, crs: np.ndarray) -> tuple[np.ndarray, ...]:
    """WGS-84 lon/lat moved to GCJ-02 on the gcj02 rows (EPSG:4490 keeps the same numbers)."""
    lon, lat = lon.copy(), lat.copy()
    gcj = crs == "gcj02"
    lon[gcj], lat[gcj] = wgs84_to_gcj02(lon[gcj], lat[gcj])
    return lon, lat


def _broken_coordinates(
    lon: np.ndarray, lat: np.ndarray, bad: np.ndarray
) -> dict[int, tuple[str, str]]:
    """The lon/lat text of each bad row, the kinds of BAD_KINDS taken in turn."""
    broken = {}
    for number, row in enumerate(bad.tolist()):
        x, y = f"{lon[row]:.{DECIMALS}f}", f"{lat[row]:.{DECIMALS}f}"
        kind = BAD_KINDS[number % len(BAD_KINDS)]
        if kind == "missing":
            broken[row] = ("", "")
        elif kind == "nan":
            broken[row] = ("nan", "nan")
        elif kind == "swapped":
            broken[row] = (y, x)
        else:  # a longitude 80 degrees off (about 199.4): out of range
            broken[row] = (f"{lon[row] + 80.0:.{DECIMALS}f}", y)
    return broken


def _hotspots_lonlat(
    county: ReportCounty, placement: Placement
) -> dict[str, tuple[tuple[float, float], ...]]:
    """Each heat group's hotspot centres in WGS-84 lon/lat, hottest first."""
    to_lonlat = pyproj.Transformer.from_crs(county.epsg, 4326, always_xy=True)
    result = {}
    for name, centres in zip(HEAT_GROUPS, placement.hotspots, strict=True):
        lon, lat = to_lonlat.transform(centres[:, 0], centres[:, 1])
        result[name] = tuple(
            (round(float(x), DECIMALS), round(float(y), DECIMALS))
            for x, y in zip(lon, lat, strict=True)
        )
    return result
