"""Who reads what of the registry, and that every read of personal details is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from geogrid.access.errors import Forbidden
from geogrid.errors import NotFoundError
from geogrid.registry.changes import Change
from geogrid.registry.reads import get_record, list_proposals, list_records, record_versions
from geogrid.registry.records import decide, propose
from tests.registry.conftest import ADMIN, fake_id_number


@pytest.fixture
def records(registry_engine, place, cipher):
    """A resident (with an ID number), a rental and a shop at the first address."""
    code = place["codes"][0]
    changes = [Change("resident", code, {"name": "张三", "residence": "registered"},
                      id_number=fake_id_number(3), started_on=date(2026, 1, 5)),
               Change("housing", code, {"use": "rental", "landlord": "王五"}),
               Change("housing", place["codes"][1], {"use": "shop", "owner": "孙七"})]  # fmt: skip
    with registry_engine.begin() as conn:
        ids = [decide(conn, ADMIN, propose(conn, ADMIN, c, cipher=cipher), confirm=True).record_id
               for c in changes]  # fmt: skip
        conn.execute(text("delete from audit_log"))
    return ids


def _audit(conn) -> list[tuple]:
    return conn.execute(
        text("select user_name, action, object_id from audit_log order by id")
    ).all()


def test_grid_staff_see_houses_and_organisations_not_people_or_rentals(
    registry_engine, place, records
) -> None:
    resident, rental, shop = records
    with registry_engine.begin() as conn:
        assert [r.id for r in list_records(conn, place["staff"])] == [shop]
        for hidden in (resident, rental):
            with pytest.raises(NotFoundError, match=f"no registry record {hidden} in your area"):
                get_record(conn, place["staff"], hidden)
        assert _audit(conn) == []  # nothing personal was shown


def test_the_station_sees_its_people_and_each_read_is_audited(
    registry_engine, place, records
) -> None:
    resident, rental, shop = records
    with registry_engine.begin() as conn:
        seen = list_records(conn, place["station"])
        assert {r.id for r in seen} == {resident, rental, shop}
        person = get_record(conn, place["station"], resident)
        assert person.data["name"] == "张三" and person.id_number.startswith("9999******")
        assert _audit(conn) == [
            ("p01", "registry.list", ""),
            ("p01", "registry.read", str(resident)),
        ]
        with pytest.raises(Forbidden, match=r"registry\.reveal"):
            get_record(conn, place["station"], resident, reveal=True)
        assert len(record_versions(conn, place["station"], resident)) == 1


def test_only_the_county_sees_an_id_number_in_clear_and_that_is_audited(
    registry_engine,
    records,
    cipher,
) -> None:
    with registry_engine.begin() as conn:
        shown = get_record(conn, ADMIN, records[0], reveal=True, cipher=cipher)
        assert shown.id_number == fake_id_number(3)
        assert ("admin", "registry.reveal", str(records[0])) in _audit(conn)


def test_proposals_of_people_go_to_who_confirms_them(registry_engine, place) -> None:
    code = place["codes"][0]
    with registry_engine.begin() as conn:
        propose(
            conn, place["staff"], Change("resident", code, {"name": "x", "residence": "floating"})
        )
        propose(
            conn,
            place["staff"],
            Change("organisation", code, {"name": "加油站", "dangerous_goods": True}),
        )
        assert [p.kind for p in list_proposals(conn, place["staff"])] == ["organisation"]
        assert [p.kind for p in list_proposals(conn, place["police"])] == [
            "resident",
            "organisation",
        ]
        assert ("police", "registry.proposals", "") in _audit(conn)


def test_what_is_due_in_a_grid(registry_engine, place, records) -> None:
    rental = records[1]
    grid = next(iter(place["station"].communities))
    far = date(2100, 1, 1)
    with registry_engine.begin() as conn:
        due = list_records(conn, place["station"], grid=grid, due_by=far)
        assert [r.id for r in due] == [rental]  # the one record with a cycle
        assert list_records(conn, place["station"], grid=grid + "999", due_by=far) == []
