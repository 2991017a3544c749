"""The audit trail: entries in the reader's transaction, newest first, per user."""

from __future__ import annotations

from geogrid.access.audit import recent, record, record_report_reads
from geogrid.access.roles import Caller

READER = Caller(1, "t-auditor", "station", station_code="P01")


def test_entries_are_written_and_read_back(county_engine):
    with county_engine.connect() as conn:
        transaction = conn.begin()
        try:
            record(conn, READER, "read", "report", "abc", {"category": "population"})
            population = {"sensitive": True, "category": "population"}
            dispute = {"sensitive": False, "category": "dispute"}
            rows = [{"id": "r1", "redacted": False} | population,
                    {"id": "r2", "redacted": True} | population,
                    {"id": "r3", "redacted": False} | dispute]  # fmt: skip
            record_report_reads(conn, READER, rows, "list")
            record_report_reads(conn, READER, rows[2:], "list")  # nothing sensitive shown
            entries = recent(conn, 10, "t-auditor")
        finally:
            transaction.rollback()
    assert [(e.action, e.object_id) for e in entries] == [("list", "r1"), ("read", "abc")]
    assert entries[0].detail == {"count": 1, "ids": ["r1"], "categories": ["population"]}
    assert entries[1].role == "station" and entries[1].detail == {"category": "population"}
