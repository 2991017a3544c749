"""Standard addresses (标准地址): stored with a stable code, placed in the grids by the
reports' own spatial join, found again by text or by nearness.

An address's code is its county code and a digest of its standard written form, so the same
address loaded twice (an office's file imported again, a proposal repeating it) is the same
row, and the code never changes when the grids are redrawn. Where it lies (unit, grid,
community, the method) is the answer of `assign.place_points` for its point in the version
named beside it; `reassign_addresses` asks again after another version is activated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, text

from geogrid.access.roles import Caller
from geogrid.errors import InputError, NotFoundError
from geogrid.registry.address_parse import address_text, normalise_address, parse_address
from geogrid.reports.assign import DEFAULT_TOLERANCE_M, place_points
from geogrid.reports.index import AssignmentIndex, load_index
from geogrid.vocabulary import ADDRESS_NEAR_M, ADDRESS_PARTS, ASSIGNMENT_METHODS

CHUNK = 50_000


@dataclass(frozen=True)
class AddressIn:
    """A standard address to store: its parts, its point (WGS-84) and its county's code."""

    parts: dict[str, str]
    lon: float
    lat: float
    county_code: str


@dataclass(frozen=True)
class AddressRow:
    """A stored address, where it lies, and (for a nearness search) how far it is."""

    id: int
    code: str
    text: str
    parts: dict[str, str]
    lon: float
    lat: float
    unit_code: str | None
    grid_code: str | None
    community_code: str | None
    unit_name: str | None = None
    distance_m: float | None = None


def address_code(county_code: str, parts: dict[str, str]) -> str:
    """The stable code: county code (6 digits) + 12 hex digits of the written form's SHA-256."""
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValueError(f"county_code must be 6 digits, got {county_code!r}")
    digest = hashlib.sha256(address_text(parts).encode("utf-8")).hexdigest()
    return county_code + digest[:12].upper()


def store_addresses(
    conn: Connection, index: AssignmentIndex | None, addresses: list[AddressIn],
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> list[int]:  # fmt: skip
    """Insert addresses, or update the point of those already stored (by code), each placed
    in the index's grids (none without an index); their ids, in order."""
    if not addresses:
        return []
    codes = [address_code(a.county_code, a.parts) for a in addresses]
    last = {code: i for i, code in enumerate(codes)}  # one row per code: the last given
    ids = _upsert(conn, index, [addresses[i] for i in last.values()], tolerance_m)
    return [ids[code] for code in codes]


def _upsert(conn, index, addresses: list[AddressIn], tolerance_m: float) -> dict[str, int]:
    lon = np.array([a.lon for a in addresses], dtype=float)
    lat = np.array([a.lat for a in addresses], dtype=float)
    params = {
        "code": [address_code(a.county_code, a.parts) for a in addresses],
        "county": [a.county_code for a in addresses],
        "text": [address_text(a.parts) for a in addresses],
        "x": lon.tolist(), "y": lat.tolist(),
        **{name: [a.parts.get(name, "") for a in addresses] for name in ADDRESS_PARTS},
        **_placement_columns(index, lon, lat, tolerance_m),
    }  # fmt: skip
    return dict(conn.execute(text(_UPSERT), params).all())


def reassign_addresses(
    engine: Engine, version_id: int | None = None, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> int:
    """Place every address in the grids of a version (the active one by default), as after
    a redraw; how many now lie in another unit."""
    if not any_address(engine):
        return 0
    index = load_index(engine, version_id)
    moved = 0
    with engine.begin() as conn:
        rows = conn.execute(text("select id, st_x(geom), st_y(geom), coalesce(unit_code, '') "
                                 "from registry_addresses order by id")).all()  # fmt: skip
        for start in range(0, len(rows), CHUNK):
            ids, lon, lat, old = (np.array(c) for c in zip(*rows[start : start + CHUNK],
                                                           strict=True))  # fmt: skip
            columns = _placement_columns(index, lon.astype(float), lat.astype(float), tolerance_m)
            conn.execute(text(_REPLACE), {"ids": ids.tolist(), **columns})
            moved += sum(o != (n or "") for o, n in zip(old, columns["unit"], strict=True))
    return moved


def find_address(conn: Connection, code: str, caller: Caller | None = None) -> AddressRow:
    """The address of a code (in the caller's area, if one is given); NotFoundError naming
    it if there is none."""
    rows = _rows(conn, "a.code = :code", {"code": code})
    if not rows or (caller and not (caller.sees_all or caller.covers(rows[0].unit_code))):
        raise NotFoundError(f"no standard address {code!r}", field="code")
    return rows[0]


def add_address(
    conn: Connection, caller: Caller, index: AssignmentIndex, written: str, lon: float,
    lat: float, county_code: str | None = None,
) -> AddressRow:  # fmt: skip
    """Store a standard address written as free text at a point in the caller's area; an
    InputError naming the parts that could not be read."""
    caller.require("registry.details")
    address, _ = read_address(caller, index, written, lon, lat, county_code)
    store_addresses(conn, index, [address])
    return find_address(conn, address_code(address.county_code, address.parts))


def read_address(
    caller: Caller, index: AssignmentIndex, written: str, lon: float, lat: float,
    county_code: str | None = None,
) -> tuple[AddressIn, str | None]:  # fmt: skip
    """A free-text address at a point in the caller's area, read into parts, and the unit it
    lies in; an InputError naming the parts that could not be read."""
    parsed = parse_address(written)
    if not parsed.complete:
        problems = [f"could not read {piece!r}" for piece in parsed.unread]
        problems += [f"no {part}" for part in parsed.missing]
        raise InputError(f"text: {'; '.join(problems)}", field="text")
    placed = _placement_columns(index, np.array([lon]), np.array([lat]), DEFAULT_TOLERANCE_M)
    unit = placed["unit"][0]
    if not (caller.sees_all or caller.covers(unit)):
        raise NotFoundError("no unit in your area at this point", field="lon")
    county = county_code or (unit[:6] if unit else None)
    if county is None:
        raise InputError("county_code: needed for a point outside every unit", field="county_code")
    return AddressIn(parsed.parts, lon, lat, county), unit


def search_addresses(
    conn: Connection, query: str, areas: tuple[str, ...] | None = None, limit: int = 10
) -> list[AddressRow]:
    """Addresses matching free text, best first: the street and house number read from it
    (and any finer part given), else the written form's prefix; within `areas` (grid code
    prefixes; None: the whole county)."""
    parsed = parse_address(query)
    parts = parsed.parts
    scope = {"areas": None if areas is None else [f"{a}%" for a in areas], "n": limit}
    in_area = (
        " and (cast(:areas as text[]) is null or a.unit_code like any(cast(:areas as text[])))"
    )
    if "street" in parts and "house_no" in parts:
        finer = [p for p in ("building", "unit_no", "room") if p in parts]
        where = "a.street = :street and a.house_no = :house_no"
        where += "".join(f" and a.{p} = :{p}" for p in finer)
        found = _rows(conn, where + in_area, scope | parts, order="a.full_text", limit=True)
        if found:
            return found
    # Not a whole street and number, or none stored: what begins with the text as written.
    prefix = normalise_address(query).removeprefix(parsed.prefix)
    scope["prefix"] = _like_prefix(prefix)
    return _rows(conn, "a.full_text like :prefix" + in_area, scope, order="a.full_text",
                 limit=True)  # fmt: skip


def nearest_addresses(
    conn: Connection, lon: float, lat: float, limit: int = 3, within_m: float = ADDRESS_NEAR_M
) -> list[AddressRow]:
    """The addresses nearest a WGS-84 point (one KNN query on the point index), nearest
    first, none farther than `within_m`."""
    rows = conn.execute(text(_NEAREST), {"x": lon, "y": lat, "n": limit}).all()
    found = [_row(r[:-1], distance=float(r[-1])) for r in rows]
    return [a for a in found if a.distance_m <= within_m]


def any_address(engine: Engine) -> bool:
    """Whether the registry holds a standard address (the lookup asks no more until then)."""
    with engine.connect() as conn:
        return bool(conn.execute(text("select exists (select 1 from registry_addresses)")).scalar())


def nearest_in_area(
    engine: Engine, caller: Caller, lon: float, lat: float, limit: int
) -> list[AddressRow]:
    """nearest_addresses on a connection of its own, keeping those in the caller's area."""
    with engine.connect() as conn:
        found = nearest_addresses(conn, lon, lat, limit)
    return [a for a in found if caller.sees_all or caller.covers(a.unit_code)]


def _placement_columns(
    index: AssignmentIndex | None, lon: np.ndarray, lat: np.ndarray, tolerance_m: float
) -> dict[str, list]:
    """The placement columns of points: unit, grid and community codes, method, version."""
    if index is None:
        empty = [None] * len(lon)
        return {"unit": empty, "grid": empty, "community": empty, "version": empty,
                "method": ["unassigned"] * len(lon)}  # fmt: skip
    placement = place_points(index, lon, lat, tolerance_m)

    def codes(level: int, positions: np.ndarray) -> list[str | None]:
        names = index.levels[level].codes
        return [None if p < 0 else str(names[p]) for p in positions.tolist()]

    return {
        "unit": codes(3, placement.unit), "grid": codes(2, placement.grid),
        "community": codes(1, placement.community),
        "version": [index.version_id if u >= 0 else None for u in placement.unit.tolist()],
        "method": [ASSIGNMENT_METHODS[m] for m in placement.method.tolist()],
    }  # fmt: skip


def _like_prefix(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _rows(conn, where: str, params: dict, order: str = "a.id", limit: bool = False):
    sql = _SELECT + f" where {where} order by {order}" + (" limit :n" if limit else "")
    return [_row(r) for r in conn.execute(text(sql), params).all()]


def _row(r, distance: float | None = None) -> AddressRow:
    parts = {name: value for name, value in zip(ADDRESS_PARTS, r[3:10], strict=True) if value}
    return AddressRow(r[0], r[1], r[2], parts, r[10], r[11], r[12], r[13], r[14], r[15],
                      distance)  # fmt: skip


_COLUMNS = """a.id, a.code, a.full_text, a.street, a.house_no, a.estate, a.building, a.unit_no,
  a.floor, a.room, st_x(a.geom), st_y(a.geom), a.unit_code, a.grid_code, a.community_code"""

_SELECT = f"""select {_COLUMNS}, u.name from registry_addresses a
left join grids u on u.version_id = a.version_id and u.code = a.unit_code"""

# The point is written out where the ORDER BY uses it (not joined from a CTE), so the
# planner walks the GiST index nearest first (KNN) and stops after :n rows.
_POINT = "st_setsrid(st_makepoint(:x, :y), 4326)"
_NEAREST = f"""
select {_COLUMNS}, u.name, st_distance(a.geom::geography, {_POINT}::geography)
from (select * from registry_addresses order by geom <-> {_POINT} limit :n) a
left join grids u on u.version_id = a.version_id and u.code = a.unit_code
order by a.geom <-> {_POINT}
"""

_UPSERT = """
insert into registry_addresses (code, county_code, street, house_no, estate, building, unit_no,
  floor, room, full_text, geom, version_id, unit_code, grid_code, community_code,
  assignment_method)
select code, county, street, house_no, estate, building, unit_no, floor, room, t,
  st_setsrid(st_makepoint(x, y), 4326), version, unit, grid, community, method
from unnest(cast(:code as text[]), cast(:county as text[]), cast(:street as text[]),
  cast(:house_no as text[]), cast(:estate as text[]), cast(:building as text[]),
  cast(:unit_no as text[]), cast(:floor as text[]), cast(:room as text[]),
  cast(:text as text[]), cast(:x as float8[]), cast(:y as float8[]), cast(:version as int[]),
  cast(:unit as text[]), cast(:grid as text[]), cast(:community as text[]),
  cast(:method as text[]))
  as u(code, county, street, house_no, estate, building, unit_no, floor, room, t, x, y,
       version, unit, grid, community, method)
on conflict (code) do update set geom = excluded.geom, version_id = excluded.version_id,
  unit_code = excluded.unit_code, grid_code = excluded.grid_code,
  community_code = excluded.community_code, assignment_method = excluded.assignment_method
returning code, id
"""

_REPLACE = """
update registry_addresses a set version_id = u.version, unit_code = u.unit,
  grid_code = u.grid, community_code = u.community, assignment_method = u.method
from unnest(cast(:ids as bigint[]), cast(:version as int[]), cast(:unit as text[]),
            cast(:grid as text[]), cast(:community as text[]), cast(:method as text[]))
  as u(id, version, unit, grid, community, method)
where a.id = u.id
"""
