"""A new standard address proposed by grid staff (kind `address`): read and placed as the
desk's own entry is (`addresses.read_address`), kept pending with its unit, and stored as a
standard address, placed in the grids of the day, once the confirming officer confirms it.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, text

from geogrid.access.roles import Caller
from geogrid.registry.address_parse import address_text
from geogrid.registry.addresses import (
    AddressIn,
    address_code,
    read_address,
    store_addresses,
)
from geogrid.reports.index import AssignmentIndex, load_index


def propose_address(
    conn: Connection, caller: Caller, index: AssignmentIndex, written: str, lon: float,
    lat: float, county_code: str | None = None, client_request_id: str | None = None,
    *, note: str = "",
) -> int:  # fmt: skip
    """Store a proposed standard address (pending until confirmed); its proposal id. The
    same proposer's `client_request_id` sent again gives the proposal stored then; the
    proposer's `note` goes with the change (the proposal's own note is the decision's)."""
    caller.require("registry.propose")
    address, unit = read_address(caller, index, written, lon, lat, county_code)
    change = {"address": {"code": address_code(address.county_code, address.parts),
                          "text": address_text(address.parts), "parts": address.parts,
                          "lon": lon, "lat": lat, "county_code": address.county_code}}  # fmt: skip
    if note.strip():
        change["note"] = note.strip()[:500]
    params = {"unit": unit, "community": None if unit is None else unit[:12],
              "change": json.dumps(change, ensure_ascii=False), "by": caller.describe(),
              "crid": client_request_id}  # fmt: skip
    made = conn.execute(text(_INSERT), params).scalar()
    if made is None:  # this proposer sent it before (a phone's retry)
        made = conn.execute(text("select id from registry_proposals where proposed_by = :by "
                                 "and client_request_id = :crid"), params).scalar_one()  # fmt: skip
    return made


def store_proposed(conn: Connection, change: dict, index: AssignmentIndex | None) -> int:
    """Store a confirmed proposal's address (the active version's grids unless an index is
    given), or move the point of the one with its code; the address id."""
    found = change["address"]
    index = index if index is not None else load_index(conn.engine)
    address = AddressIn(found["parts"], found["lon"], found["lat"], found["county_code"])
    return store_addresses(conn, index, [address])[0]


_INSERT = """insert into registry_proposals (kind, unit_code, community_code, change, status,
  proposed_by, source, note, client_request_id)
values ('address', :unit, :community, cast(:change as jsonb), 'pending', :by, 'api', '', :crid)
on conflict (proposed_by, client_request_id) where client_request_id is not null do nothing
returning id"""
