"""The sample county's registry: standard addresses from its household points, and houses,
residents, organisations, rentals and key persons at rates like the source case's.

Pure: household points (address, households, residents, lon, lat) in, addresses and records
out. A point of several households is a block of flats: its households get rooms (2 a floor,
6 floors a unit, 2 units a building). The rates are this project's assumptions, chosen to
look like a county that collects at the 95 % Chinese practice targets, not measurements:
houses recorded for 96 % of addresses; of those 9 % rented, 4 % shops, 4 % vacant, 1 %
other; residents recorded in 95 % of lived-in houses (the point's people spread over its
households), tenants floating (流动), 3 % floating elsewhere; one organisation per 60
addresses (12 % key units, 4 % with dangerous goods); key persons 0.25 % of residents;
92 % of checks within their cycle. ID numbers are clearly fake: area code 999999, which no
county has, with a right check digit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geogrid.registry.address_parse import parse_address
from geogrid.registry.addresses import AddressIn, address_code
from geogrid.registry.bulk import BulkRecord
from geogrid.registry.cycles import load_cycles
from geogrid.registry.idnumbers import check_digit
from geogrid.sample.names import person_names

USES = ("home", "rental", "shop", "vacant", "other")
USE_SHARES = (0.82, 0.09, 0.04, 0.04, 0.01)
HOUSED, RESIDENTS_RECORDED, FLOATING_ELSEWHERE = 0.96, 0.95, 0.03
ORGANISATION_EVERY, KEY_UNIT, DANGEROUS_GOODS = 60, 0.12, 0.04
KEY_PERSON_SHARE, ON_TIME = 0.0025, 0.92
KEY_PERSON_CATEGORIES = {
    "released_prisoner": 0.3, "petitioner": 0.2, "drug_user": 0.15, "mental_illness": 0.15,
    "community_correction": 0.1, "other": 0.1,
}  # fmt: skip
ORGANISATION_WORDS = ("超市", "饭店", "加油站", "五金店", "幼儿园", "诊所", "物流站", "加工厂")
FAKE_AREA = "999999"
BIRTH_DAYS = 25_000  # ID numbers: birth day from 1940 on, then a serial: unique up to 25 M


@dataclass
class SampleRegistry:
    """Addresses to store and the records at them."""

    addresses: list[AddressIn] = field(default_factory=list)
    records: list[BulkRecord] = field(default_factory=list)


def sample_registry(
    households: pd.DataFrame, today: date, seed: int = 2026, county_code: str = "370782"
) -> SampleRegistry:
    """The registry of household points (columns address, households, residents, lon,
    lat), as of `today` (see the module)."""
    rng = np.random.default_rng(seed)
    out = SampleRegistry()
    people: list[tuple[str, int]] = []  # (address code, how many live there)
    for row in households.itertuples(index=False):
        base = parse_address(str(row.address)).parts
        count = max(int(row.households), 1)
        each = max(int(row.residents), 1) / count
        for parts in _rooms(base, count):
            out.addresses.append(AddressIn(parts, float(row.lon), float(row.lat), county_code))
            people.append((address_code(county_code, parts), each))
    _houses(rng, out, people, today)
    return out


def _rooms(base: dict[str, str], count: int) -> list[dict[str, str]]:
    if count == 1:
        return [base]
    rooms = []
    for i in range(count):
        floor = (i % 12) // 2 + 1
        rooms.append(base | {"building": str(i // 24 + 1), "unit_no": str((i % 24) // 12 + 1),
                             "floor": str(floor), "room": f"{floor}0{i % 2 + 1}"})  # fmt: skip
    return rooms


def _houses(rng, out: SampleRegistry, people: list[tuple[str, float]], today: date) -> None:
    n = len(people)
    housed = rng.random(n) < HOUSED
    uses = rng.choice(len(USES), size=n, p=USE_SHARES)
    started = [today - timedelta(days=int(d)) for d in rng.integers(30, 3000, size=n)]
    residents: list[tuple[str, bool, date]] = []
    for i, (code, each) in enumerate(people):
        if not housed[i]:
            continue
        use = USES[uses[i]]
        out.records.append(_checked(rng, "housing", code, use, {"use": use}, started[i], today))
        if use in ("home", "rental") and rng.random() < RESIDENTS_RECORDED:
            living = max(1, int(rng.poisson(each)))
            residents += [(code, use == "rental", started[i])] * living
    _residents(rng, out, residents, today)
    _organisations(rng, out, [c for c, _ in people], started, today)


def _residents(rng, out: SampleRegistry, residents: list, today: date) -> None:
    male = rng.random(len(residents)) < 0.51
    names = person_names(rng, male)
    for i, (code, tenant, since) in enumerate(residents):
        floating = tenant or rng.random() < FLOATING_ELSEWHERE
        number = _fake_id(i, male[i])
        data = {"name": names[i], "residence": "floating" if floating else "registered",
                "gender": "male" if male[i] else "female",
                "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"}  # fmt: skip
        out.records.append(BulkRecord("resident", code, data["residence"], data, since, number))
        if rng.random() < KEY_PERSON_SHARE:
            category = str(rng.choice(list(KEY_PERSON_CATEGORIES),
                                      p=list(KEY_PERSON_CATEGORIES.values())))  # fmt: skip
            facts = {"name": names[i], "category": category}
            out.records.append(_checked(rng, "key_person", code, category, facts, since, today,
                                        number))  # fmt: skip


def _organisations(rng, out: SampleRegistry, codes: list[str], started: list, today) -> None:
    for i in np.flatnonzero(rng.random(len(codes)) < 1 / ORGANISATION_EVERY).tolist():
        dangerous = rng.random() < DANGEROUS_GOODS
        key = dangerous or rng.random() < KEY_UNIT
        word = "加油站" if dangerous else str(rng.choice(ORGANISATION_WORDS))
        data = {"name": f"样例{word}{i}", "org_kind": word, "key_unit": bool(key),
                "dangerous_goods": bool(dangerous)}  # fmt: skip
        category = "dangerous_goods" if dangerous else "key_unit" if key else "ordinary"
        out.records.append(_checked(rng, "organisation", codes[i], category, data, started[i],
                                    today))  # fmt: skip


def _checked(rng, kind: str, code: str, category: str, data: dict, since: date, today: date,
             number: str | None = None) -> BulkRecord:  # fmt: skip
    """A record with its checks: within the cycle for ON_TIME of them, overdue otherwise."""
    days = load_cycles().get(f"{kind}.{category}")
    if days is None:
        return BulkRecord(kind, code, category, data, since, number)
    if rng.random() < ON_TIME:
        last = today - timedelta(days=int(rng.integers(0, days)))
    else:
        last = today - timedelta(days=days + int(rng.integers(1, 60)))
    checked = (last,) if last >= since else ()
    due = (last if checked else since) + timedelta(days=days)
    return BulkRecord(kind, code, category, data, since, number, due, checked)


def _fake_id(serial: int, male: bool) -> str:
    """A clearly fake ID number (area 999999), unique per serial, odd 17th digit for men."""
    birth = date(1940, 1, 1) + timedelta(days=serial % BIRTH_DAYS)
    order = (serial // BIRTH_DAYS) * 2 + (1 if male else 0)
    first17 = f"{FAKE_AREA}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
