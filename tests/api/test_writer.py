"""Group commit of single report POSTs: one transaction for many, an answer for each."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text

from geogrid.api.writer import ReportWriter
from geogrid.errors import ConflictError, InputError
from geogrid.reports import intake as intake_module
from geogrid.reports import store
from geogrid.reports.index import load_index
from geogrid.reports.intake import IntakeOptions, submit_reports
from geogrid.storage.driver import Read
from tests.api.places import WHEN, delete_reports

REPORTER = "apitest-writer"


@pytest.fixture
def writer(county):
    """A writer on the county; its reports are removed afterwards."""
    index = load_index(county.engine)
    yield ReportWriter(county.engine, lambda: index, IntakeOptions, max_batch=8)
    delete_reports(county.engine, reporter=REPORTER)


def items(county, n: int) -> list[dict]:
    """n report items at P01's first unit."""
    place = county.p01
    base = {"category": "dispute", "lon": place.lon, "lat": place.lat, "reported_at": WHEN}
    return [base | {"reporter": REPORTER, "text": f"#{k}"} for k in range(n)]


def submit_all(writer: ReportWriter, batch: list[dict]) -> list:
    """Submit concurrently, as simultaneous requests would; outcomes or errors. The writer
    closes its connection afterwards, as the app's end does."""

    async def run() -> list:
        try:
            return await asyncio.gather(*(writer.submit(i) for i in batch), return_exceptions=True)
        finally:
            await writer.close()

    return asyncio.run(run())


def test_concurrent_reports_share_transactions_and_each_gets_its_id(county, writer, monkeypatch):
    sizes = []
    write = writer.write

    async def counted(batch):
        sizes.append(len(batch))
        return await write(batch)

    monkeypatch.setattr(writer, "write", counted)
    outcomes = submit_all(writer, items(county, 20))
    assert [o[1] for o in outcomes] == ["accepted"] * 20
    assert len({o[0] for o in outcomes}) == 20
    assert sum(sizes) == 20 and max(sizes) == 8 and len(sizes) < 20


def test_a_bad_item_fails_alone(county, writer):
    batch = items(county, 3)
    batch[1] = batch[1] | {"category": "ufo"}
    outcomes = submit_all(writer, batch)
    assert isinstance(outcomes[1], InputError) and outcomes[1].field == "category"
    assert outcomes[0][1] == outcomes[2][1] == "accepted"


def test_retries_repeat_the_first_report_and_another_body_conflicts(county, writer):
    first = items(county, 1)[0] | {"client_request_id": "writer-retry-1"}
    ((report, outcome),) = submit_all(writer, [first])
    again, changed = submit_all(writer, [first, first | {"text": "changed"}])
    assert outcome == "accepted" and again == (report, "repeated")
    assert isinstance(changed, ConflictError) and changed.field == "client_request_id"


def test_a_batch_failing_as_a_whole_is_written_item_by_item(county, writer, monkeypatch):
    real, connections = writer._write, []

    async def flaky(batch):
        connections.append(await writer._connection())
        if len(batch) > 1:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return await real(batch)

    monkeypatch.setattr(writer, "_write", flaky)
    outcomes = submit_all(writer, items(county, 3))
    assert [o[1] for o in outcomes] == ["accepted"] * 3
    # The failed batch's connection was closed, and the items written on a new one.
    assert connections[0].closed and connections[1] is not connections[0]


def test_a_retry_racing_another_process_is_answered_from_what_it_stored(
    county, writer, monkeypatch
):
    # Another process stores request "race-1" between this writer's read of earlier
    # requests and its COPY: the COPY fails on the unique index, and the items are written
    # one by one, the racing one answered with the other process's report.
    real, reads, other = intake_module.earlier_requests_of, [], []
    racing = items(county, 1)[0] | {"client_request_id": "race-1", "text": "race"}

    def raced(checked):
        if other == ["storing"]:  # the other process's own read
            return real(checked)
        reads.append(checked)
        if len(reads) == 1:  # the read finds nothing; the other process stores it now
            other.append("storing")
            stored = submit_reports(county.engine, [racing], index=county.index)
            other[0] = str(stored.report_id[0])
            return Read.nothing(dict)
        return real(checked)

    monkeypatch.setattr(intake_module, "earlier_requests_of", raced)
    outcomes = submit_all(writer, [racing, items(county, 1)[0] | {"text": "bystander"}])
    assert outcomes[0] == (other[0], "repeated")
    assert outcomes[1][1] == "accepted" and len(reads) == 3


def test_a_batch_larger_than_the_small_copy_is_stored_whole(county, monkeypatch):
    # The API's batches go up to write_batch_max (500 by default), past store.SMALL_BATCH.
    monkeypatch.setattr(store, "SMALL_BATCH", 5)
    index = load_index(county.engine)
    writer = ReportWriter(county.engine, lambda: index, IntakeOptions, max_batch=40)
    try:
        outcomes = submit_all(writer, items(county, 12))
        assert [o[1] for o in outcomes] == ["accepted"] * 12
    finally:
        delete_reports(county.engine, reporter=REPORTER)


def test_a_lone_report_is_written_at_once_and_a_busy_writer_lingers(county):
    index = load_index(county.engine)
    writer = ReportWriter(county.engine, lambda: index, IntakeOptions, max_batch=8, linger=0.3)
    write, batches, first_written = writer.write, [], asyncio.Event()

    async def timed(batch):
        batches.append((len(batch), time.monotonic()))
        try:
            return await write(batch)
        finally:
            first_written.set()

    writer.write = timed
    a, b, c, d = items(county, 4)

    async def run() -> list:
        try:
            start = time.monotonic()
            first = asyncio.ensure_future(writer.submit(a))
            await asyncio.sleep(0)  # a's batch has started: b and c wait for the next
            rest = [asyncio.ensure_future(writer.submit(i)) for i in (b, c)]
            await first_written.wait()
            await asyncio.sleep(0.05)  # d comes after a is written, while the writer lingers
            rest.append(asyncio.ensure_future(writer.submit(d)))
            outcomes = await asyncio.gather(first, *rest)
            return [start, outcomes]
        finally:
            await writer.close()

    try:
        start, outcomes = asyncio.run(run())
    finally:
        delete_reports(county.engine, reporter=REPORTER)
    assert [o[1] for o in outcomes] == ["accepted"] * 4
    assert [n for n, _ in batches] == [1, 3]
    assert batches[0][1] - start < 0.2  # no linger before the first batch


def test_a_report_near_an_open_one_is_flagged_in_a_batch_with_a_retry(county, writer):
    # The writer asks for the open reports near every item, retries included, in the same
    # round trip as the retries: the new report must still name the first as its original.
    place = county.p01
    first = {"category": "fire_hazard", "lon": place.lon, "lat": place.lat,
             "reported_at": WHEN, "reporter": REPORTER, "text": "smoke",
             "client_request_id": "writer-dup-1"}  # fmt: skip
    ((first_id, _),) = submit_all(writer, [first])
    later = (datetime.fromisoformat(WHEN) + timedelta(hours=1)).isoformat()
    near = first | {"lon": place.lon + 10 / 92_000, "reported_at": later,
                    "client_request_id": "writer-dup-2"}  # fmt: skip
    retry, (near_id, outcome) = submit_all(writer, [first, near])
    assert retry == (first_id, "repeated") and outcome == "accepted"
    with county.engine.connect() as conn:
        flagged = conn.execute(text("select duplicate_of::text from reports where id = :id"),
                               {"id": near_id}).scalar()  # fmt: skip
    assert flagged == first_id
