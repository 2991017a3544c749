"""Proposals, confirmation, versions, moves and checks on the tiny county's registry."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from geogrid.access.errors import Forbidden
from geogrid.errors import ConflictError, InputError, NotFoundError
from geogrid.registry.changes import Change
from geogrid.registry.records import decide, log_check, propose, snapshot
from geogrid.vocabulary import china_today
from tests.registry.conftest import ADMIN, fake_id_number


def test_a_proposal_becomes_the_record_only_when_confirmed(registry_engine, place, cipher):
    with registry_engine.begin() as conn:
        number = fake_id_number(1)
        pid = propose(conn, place["staff"], Change("resident", place["codes"][0],
                      {"name": "张三", "residence": "floating"}, id_number=number,
                      started_on=date(2026, 3, 1)), cipher=cipher)  # fmt: skip
        assert conn.execute(text("select count(*) from registry_records")).scalar() == 0
        with pytest.raises(Forbidden, match="only the community police officer"):
            decide(conn, place["staff"], pid, confirm=True)
        decision = decide(conn, place["police"], pid, confirm=True)
        assert decision.status == "confirmed"
        record = snapshot(conn, decision.record_id)
        assert record["data"] == {"name": "张三", "residence": "floating"}
        assert record["id_number"] == "9999**********" + number[-4:]
        stored = conn.execute(text("select id_number_enc from registry_records")).scalar()
        assert number.encode() not in bytes(stored) and cipher.decrypt(stored) == number
        versions = conn.execute(text("select before, after, actor from registry_versions")).all()
        assert versions == [(None, record, "police (grid_staff)")]
        with pytest.raises(ConflictError, match="already confirmed"):
            decide(conn, place["police"], pid, confirm=True)


def test_a_resident_lives_at_one_address_and_the_history_stays(registry_engine, place, cipher):
    number = fake_id_number(2)
    with registry_engine.begin() as conn:
        for code in place["codes"][:2]:
            pid = propose(conn, ADMIN, Change("resident", code, {"name": "李四",
                          "residence": "registered"}, id_number=number), cipher=cipher)  # fmt: skip
            record_id = decide(conn, ADMIN, pid, confirm=True).record_id
        rows = conn.execute(text("select id, revision from registry_records")).all()
        assert rows == [(record_id, 2)]  # one record, moved
        moves = conn.execute(text("select before->>'address_code', after->>'address_code' "
                                  "from registry_versions order by revision")).all()  # fmt: skip
    assert moves == [(None, place["codes"][0]), (place["codes"][0], place["codes"][1])]


def test_rentals_fall_due_by_their_cycle_and_a_check_moves_the_day(registry_engine, place):
    start = china_today() - timedelta(days=100)
    with registry_engine.begin() as conn:
        pid = propose(conn, place["staff"], Change("housing", place["codes"][0],
                      {"use": "rental", "landlord": "王五", "tenants": ["赵六"]},
                      started_on=start))  # fmt: skip
        record_id = decide(conn, place["station"], pid, confirm=True).record_id
        assert snapshot(conn, record_id)["due_on"] == (start + timedelta(days=90)).isoformat()
        due = log_check(conn, place["staff"], record_id, note="checked")
        assert due == china_today() + timedelta(days=90)
        with pytest.raises(InputError, match="day: a check cannot be logged for a day still"):
            log_check(conn, place["staff"], record_id, day=china_today() + timedelta(days=1))


def test_each_bad_field_is_named_and_nothing_is_stored(registry_engine, place, cipher, caplog):
    code = place["codes"][0]
    bad = [
        (Change("housing", code, {"use": "castle"}), "data.use: one of home"),
        (Change("housing", code, {"owner": "x"}), "data.use: required"),
        (Change("housing", code, {"use": "home", "size": 3}), "data.size: not a field"),
        (Change("key_person", code, {"name": "x", "category": "spy"}), "data.category: one of"),
        (Change("resident", code, {"name": "x", "residence": "floating"},
                id_number="370782198001011235"), "id_number: the ID number's check digit"),
        (Change("housing", code, {"use": "rental", "contract_from": "2026-05-01",
                                  "contract_to": "2026-04-01"}), "data.contract_to: before"),
        (Change("housing", "370782NOPE", {"use": "home"}), "no standard address '370782NOPE'"),
    ]  # fmt: skip
    caplog.set_level(logging.DEBUG)
    with registry_engine.begin() as conn:
        for change, message in bad:
            with pytest.raises((InputError, NotFoundError), match=message):
                propose(conn, place["staff"], change, cipher=cipher)
        assert conn.execute(text("select count(*) from registry_proposals")).scalar() == 0
    assert "370782198001011235" not in caplog.text
    assert "370782198001011235" not in repr(bad[4][0])


def test_scope_other_communities_are_not_found(registry_engine, place):
    outside = place["codes"][2]
    with registry_engine.begin() as conn:
        with pytest.raises(NotFoundError, match="in your area"):
            propose(conn, place["staff"], Change("housing", outside, {"use": "home"}))
        pid = propose(conn, ADMIN, Change("housing", outside, {"use": "home"}))
        with pytest.raises(NotFoundError, match=f"no registry proposal {pid}"):
            decide(conn, place["station"], pid, confirm=False)
        assert decide(conn, ADMIN, pid, confirm=False).status == "rejected"
        assert conn.execute(text("select count(*) from registry_records")).scalar() == 0
