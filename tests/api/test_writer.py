"""Group commit of single report POSTs: one transaction for many, an answer for each."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from geogrid.api import writer as writer_module
from geogrid.api.writer import ReportWriter
from geogrid.errors import InputError
from geogrid.reports.index import IndexCache
from geogrid.reports.intake import IntakeOptions
from tests.api.places import WHEN, delete_reports

REPORTER = "apitest-writer"


@pytest.fixture
def writer(county):
    """A writer on the county; its reports are removed afterwards."""
    yield ReportWriter(county.engine, IndexCache(county.engine), IntakeOptions, max_batch=8)
    delete_reports(county.engine, reporter=REPORTER)


def items(county, n: int) -> list[dict]:
    """n report items at P01's first unit."""
    place = county.p01
    base = {"category": "dispute", "lon": place.lon, "lat": place.lat, "reported_at": WHEN}
    return [base | {"reporter": REPORTER, "text": f"#{k}"} for k in range(n)]


async def submit_all(writer: ReportWriter, batch: list[dict]) -> list:
    """Submit concurrently, as simultaneous requests would; outcomes or errors."""
    return await asyncio.gather(*(writer.submit(i) for i in batch), return_exceptions=True)


def test_concurrent_reports_share_transactions_and_each_gets_its_id(county, writer, monkeypatch):
    sizes = []
    write = writer.write
    monkeypatch.setattr(writer, "write", lambda batch: sizes.append(len(batch)) or write(batch))
    outcomes = asyncio.run(submit_all(writer, items(county, 20)))
    assert [o[1] for o in outcomes] == ["accepted"] * 20
    assert len({o[0] for o in outcomes}) == 20
    assert sum(sizes) == 20 and max(sizes) == 8 and len(sizes) < 20


def test_a_bad_item_fails_alone(county, writer):
    batch = items(county, 3)
    batch[1] = batch[1] | {"category": "ufo"}
    outcomes = asyncio.run(submit_all(writer, batch))
    assert isinstance(outcomes[1], InputError) and outcomes[1].field == "category"
    assert outcomes[0][1] == outcomes[2][1] == "accepted"


def test_a_batch_failing_as_a_whole_is_written_item_by_item(county, writer, monkeypatch):
    real = writer_module.submit_reports

    def flaky(engine, items, options, **where):
        if len(items) > 1:
            raise OperationalError("insert", {}, Exception("deadlock detected"))
        return real(engine, items, options, **where)

    monkeypatch.setattr(writer_module, "submit_reports", flaky)
    assert [o[1] for o in writer.write(items(county, 3))] == ["accepted"] * 3
