"""The case list's order and paging: open cases by deadline (stored, else acceptance from
receipt) and then the finished ones newest first, the same on every page size, with totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from geogrid.reports import caselist
from geogrid.reports.caselist import CaseQuery, list_cases
from geogrid.reports.loop import OPEN
from geogrid.reports.queries import C, R, ReportFilter, ReportScope
from geogrid.vocabulary import china_now
from tests.api.places import make_reports, station_places

ALL = ReportScope(everything=True, details=True)
# (status, deadline in hours from now or None: not stored, reported hours before WHEN)
# A verified case awaits its close with no deadline: after the open cases with one.
STATES = [("dispatched", 5, 0), ("received", None, 1), ("accepted", -1, 2), ("closed", None, 3),
          ("verified", None, 4), ("rework", 3, 5)]  # fmt: skip


@pytest.fixture
def cases(reports_engine, county_index) -> list[dict]:
    """The six reports of make_reports, given the statuses and deadlines of STATES."""
    places = station_places(reports_engine, county_index)
    made = make_reports(reports_engine, county_index, places["370782P01"][0],
                        places["370782P02"][0]).all()  # fmt: skip
    now = china_now()
    with reports_engine.begin() as conn:
        for report_id, (status, due, back) in zip(made, STATES, strict=True):
            conn.execute(text(
                "update reports set status = :s, due_at = :d, received_at = :now - "
                "make_interval(hours => :b), reported_at = reported_at - make_interval(hours "
                "=> :b) where id = :id"), {"s": status, "b": back, "id": report_id, "now": now,
                "d": None if due is None else now + timedelta(hours=due)})  # fmt: skip
        rows = conn.execute(
            text(
                "select r.id::text as id, r.status, r.reported_at, coalesce(r.due_at, "
                "case when r.status in ('received', 'assigned') then r.received_at + "
                "make_interval(hours => c.accept_hours) end) as deadline "
                "from reports r join report_categories c on c.id = r.category_id"
            )
        ).mappings()
        return [dict(r) for r in rows]


def expected(cases: list[dict], keep=lambda case: True) -> list[str]:
    """The list's order worked out here: open by deadline, then finished newest first."""
    kept = [c for c in cases if keep(c)]
    opened = sorted(
        (c for c in kept if c["status"] in OPEN),
        key=lambda c: (
            c["deadline"] is None,
            c["deadline"] or c["reported_at"],
            -c["reported_at"].timestamp(),
            c["id"],
        ),
    )
    finished = sorted((c for c in kept if c["status"] not in OPEN),
                      key=lambda c: (-c["reported_at"].timestamp(), c["id"]))  # fmt: skip
    return [c["id"] for c in opened + finished]


@pytest.mark.parametrize("query, keep", [
    (CaseQuery(), lambda c: True),
    (CaseQuery(ReportFilter(statuses=("closed", "received"))),
     lambda c: c["status"] in ("closed", "received")),
    (CaseQuery(ReportFilter(statuses=("verified",))), lambda c: c["status"] == "verified"),
    (CaseQuery(ReportFilter(statuses=("closed", "verified", "rework"))),
     lambda c: c["status"] in ("closed", "verified", "rework")),
    (CaseQuery(overdue=True), lambda c: c["status"] in OPEN and c["deadline"] is not None
     and c["deadline"] < china_now()),
])  # fmt: skip
def test_every_page_size_gives_the_same_order_and_total(reports_engine, cases, query, keep):
    want = expected(cases, keep)
    assert want, "the filter should match something"
    with reports_engine.connect() as conn:
        for limit in range(1, 8):
            got, totals = [], set()
            for offset in range(0, 8, limit):
                page = list_cases(conn, query, ALL, now=china_now(), limit=limit, offset=offset)
                assert page.exact, f"page size {limit}: a few cases are counted exactly"
                got += [str(r["id"]) for r in page.rows]
                totals.add(page.total)
            assert got == want, f"page size {limit}"
            assert totals == {len(want)}, f"page size {limit}"


def test_an_open_case_without_a_stored_deadline_takes_its_acceptance_limit(
    reports_engine, cases
):  # fmt: skip
    """The received case has no stored deadline: it sits among the open ones by receipt
    plus its category's acceptance hours, not at the end."""
    order = expected(cases)
    received = next(c["id"] for c in cases if c["status"] == "received")
    assert order.index(received) < len([c for c in cases if c["status"] in OPEN])
    with reports_engine.connect() as conn:
        rows = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=50).rows
    assert [str(r["id"]) for r in rows] == order


def test_a_verified_case_comes_after_the_open_cases_with_a_deadline(reports_engine, cases):
    """Awaiting its close it has no deadline: last of the open ones, before the finished."""
    with reports_engine.connect() as conn:
        rows = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=50).rows
    statuses = [r["status"] for r in rows]
    assert statuses[-2:] == ["verified", "closed"]


def test_a_first_page_is_one_statement_with_its_count(reports_engine, cases):
    """Every open case with a stored deadline: the first page, whether a case lacks one and
    the capped count come in one statement, and say what the separate reads said."""
    from sqlalchemy import event

    with reports_engine.begin() as conn:
        conn.execute(text("update reports set due_at = received_at + interval '1 hour' where "
                          "due_at is null and status in ('received', 'assigned')"))  # fmt: skip
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    with reports_engine.connect() as conn:
        want = [str(r["id"]) for r in list_cases(conn, CaseQuery(), ALL, now=china_now(),
                                                  limit=50).rows]  # fmt: skip
        event.listen(conn, "before_cursor_execute", listen)
        page = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=2)
        event.remove(conn, "before_cursor_execute", listen)
    assert len(statements) == 1, statements
    assert [str(r["id"]) for r in page.rows] == want[:2]
    assert (page.total, page.exact, page.more) == (len(want), True, True)
    shown = caselist._list_columns(True, "stored").selected_columns.keys()
    assert set(page.rows[0]) == set(shown)  # nothing beside the row's own


# Twelve texts for two rounds of make_reports (2 and 8 are population: a sensitive category).
TEXTS = ["密州街道邻里纠纷，已调解", "ABC物流园 Fire 隐患 100%完成", "张三 身份证 370782",
         "纠 纷分开写", "XYZ超市旁ab", "", "纷纠颠倒", "纠纠纷纷", "路口_信号灯 故障 a\\b",
         "Straße GROSS", "换行\n纠纷", "50%_off\\\\"]  # fmt: skip
SEARCHES = ["纠纷", "纠", "纷", "纠纷，", "邻里纠纷", "纷纠", "纠纷纷", "fire", "FIRE", "abc物流",
            "Abc", "100%", "%", "_", "路口_信", "a\\b", "\\", "\\\\", " ", "纠 纷", "xyz超市旁AB",
            "不存在", "隐患 1", "b", "ss", "SS", "straße", "STRASSE", "\n纠", "370782", "身份证",
            "%_", "_o"]  # fmt: skip


@pytest.fixture
def texted(reports_engine, county_index) -> list[str]:
    """Twelve reports (written by the intake's COPY) given TEXTS by an update."""
    places = station_places(reports_engine, county_index)
    a, b = places["370782P01"][0], places["370782P02"][0]
    made = [*make_reports(reports_engine, county_index, a, b).all(),
            *make_reports(reports_engine, county_index, a, b).all()]  # fmt: skip
    with reports_engine.begin() as conn:
        for report_id, words in zip(made, TEXTS, strict=True):
            conn.execute(text("update reports set text = :t where id = :id"),
                         {"t": words, "id": report_id})  # fmt: skip
    return made


def _ilike(conn, words: str, details: bool = True) -> set[str]:
    """The search as it was: a plain ilike over every text, no index."""
    pattern = words.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    rows = conn.execute(text(
        "select r.id::text from reports r join report_categories c on c.id = r.category_id "
        "where r.text ilike :p escape '\\' and (:d or not c.sensitive)"),
        {"p": f"%{pattern}%", "d": details})  # fmt: skip
    return set(rows.scalars())


def _searched(conn, words: str, scope=ALL) -> set[str]:
    """The search's reports on one page, checked against pages of one: the same reports,
    each page but the last knowing a next one holds more, the last counting them all."""
    page = list_cases(conn, CaseQuery(text=words), scope, now=china_now(), limit=50)
    assert page.exact and page.total == len(page.rows) and not page.more
    paged, number = [], 0
    while True:
        one = list_cases(conn, CaseQuery(text=words), scope, now=china_now(), limit=1,
                         offset=number)  # fmt: skip
        paged += [str(r["id"]) for r in one.rows]
        number += 1
        if not one.more:
            break
        assert not one.exact and one.total == number, words  # more than this page's end
    assert one.exact and one.total == page.total, words
    assert paged == [str(r["id"]) for r in page.rows], words
    return set(paged)


# Pages of words this common are read off the deadline's index: 0 for every search, above 1
# for none (the grams' index then), with or without the ANALYZE statistics.
@pytest.mark.parametrize("common", [0.0, 1.1])
def test_the_text_search_finds_what_a_plain_ilike_finds(reports_engine, texted, monkeypatch,
                                                        common):  # fmt: skip
    """Chinese, mixed, one-character, Latin in either case, and %, _ and backslash: the
    index of character pairs finds exactly the texts the plain ilike found."""
    monkeypatch.setattr(caselist, "COMMON_WORDS", common)
    with reports_engine.connect() as conn:
        found = {words: _searched(conn, words) for words in SEARCHES}
        assert found == {words: _ilike(conn, words) for words in SEARCHES}
        hidden = ReportScope(everything=True)
        assert _searched(conn, "身份证", hidden) == _ilike(conn, "身份证", False) == set()
    counts = {words: len(ids) for words, ids in found.items()}
    assert counts["纠纷"] == 3 and counts["纷纠"] == 1 and counts["纠"] == 5  # not vacuous
    assert counts["FIRE"] == counts["fire"] == 1 and counts["\\"] == 2 and counts["%"] == 2
    assert counts["身份证"] == 1


def test_the_intake_copy_stores_the_grams(reports_engine, cases):
    """Reports written by COPY (make_reports' texts) are found with no update."""
    with reports_engine.connect() as conn:
        assert len(_searched(conn, "纠纷")) == 1
        assert len(_searched(conn, "盗")) == 1


def test_a_two_character_search_reads_the_grams_index(reports_engine, cases):
    """Among 3,000 texts, the few holding 诈骗 are found off the GIN index, not by a scan."""
    with reports_engine.begin() as conn:
        conn.execute(text(
            "insert into reports (id, category_id, received_crs, reported_at, reporter, text, "
            "assignment_method, status) select gen_random_uuid(), category_id, received_crs, "
            "reported_at, 'bench', case when i % 500 = 0 then '电信诈骗' else '楼道堆放杂物' "
            "end, assignment_method, status from generate_series(1, 3000) i, "
            "(select * from reports limit 1) r"))  # fmt: skip
        conn.execute(text("analyze reports"))
        # A table this small is read whole at less cost; the index must be able to serve.
        conn.execute(text("set local enable_seqscan = off"))
        where = CaseQuery(text="诈骗").conditions(ALL, china_now())
        query = select(R.c.id).select_from(R.join(C, C.c.id == R.c.category_id)).where(*where)
        compiled = query.compile(dialect=conn.dialect)
        plan = "\n".join(conn.exec_driver_sql(f"explain {compiled}", compiled.params).scalars())
        assert "ix_reports_text_grams" in plan, plan
        assert len(conn.execute(query).all()) == 6


def test_the_open_cases_are_read_off_their_indexes(reports_engine, cases):
    """A station's list page, the station's inbox and a grid's open-case count can each be
    read off an open-case index: they ask for `is_open`, which the indexes are made on (a
    condition on the statuses would not be matched to them)."""
    from geogrid.reports.inbox import _query
    from geogrid.storage.models import Report

    station = ReportScope(station_id=1)
    with reports_engine.connect() as conn, conn.begin() as changes:
        # A table this small is read whole at less cost, and on a few rows the planner may
        # as well take a plain index and filter: with those out of its way (put back by the
        # rollback), only an open-case index can serve, if the read matches it.
        conn.execute(text("set local enable_seqscan = off"))
        conn.execute(text("set local enable_bitmapscan = off"))
        for index in ("ix_reports_level2_id", "ix_reports_station_id_reported_at"):
            conn.execute(text(f"drop index {index}"))

        def plan_of(statement) -> str:
            compiled = statement.compile(dialect=conn.dialect)
            return "\n".join(conn.exec_driver_sql(f"explain {compiled}", compiled.params).scalars())

        where = CaseQuery().conditions(station, china_now())
        page = caselist._list_select(station, "stored").where(*where, caselist._IS_OPEN)
        assert "ix_reports_open_station" in plan_of(page.order_by(R.c.due_at).limit(50))
        params = {"s": 1, "d": None, "p": None, "now": china_now(), "limit": 100}
        inbox = conn.execute(text("explain " + _query("station").text), params).scalars()
        assert "ix_reports_open_" in "\n".join(inbox)
        count = select(func.count()).select_from(R).where(R.c.level2_id == 1, Report.is_open)
        assert "ix_reports_open_level2_due" in plan_of(count)
        changes.rollback()


def test_the_count_stops_at_its_cap_and_the_pages_say_what_comes_next(
    reports_engine, cases, monkeypatch
):  # fmt: skip
    """Six cases, counted up to two: "more than two" until a page shows more than that,
    then "more than the page's end"; the last page and a page past the end are exact or
    capped; the rows are the same cases in the same order as an uncapped read."""
    want = expected(cases)
    monkeypatch.setattr(caselist, "MAX_COUNTED", 2)
    with reports_engine.connect() as conn:
        pages = [list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=2, offset=offset)
                 for offset in (0, 2, 4, 6)]  # fmt: skip
    assert [str(r["id"]) for p in pages for r in p.rows] == want
    shown = [(p.total, p.exact, p.more, p.pages) for p in pages]
    assert shown == [(2, False, True, None),  # counted: more than 2
                     (4, False, True, None),  # past the cap: more than this page's end
                     (6, True, False, 3),  # the last page counts them all
                     (2, False, False, None)]  # past the end: counted, capped  # fmt: skip


def test_a_text_search_with_a_next_page_is_not_counted(reports_engine, texted):
    """纠 is in five texts: two pages of two say "more than 2" and "more than 4"; the third
    counts five."""
    with reports_engine.connect() as conn:
        pages = [list_cases(conn, CaseQuery(text="纠"), ALL, now=china_now(), limit=2,
                            offset=offset) for offset in (0, 2, 4)]  # fmt: skip
    assert [(p.total, p.exact, p.more) for p in pages] == [(2, False, True), (4, False, True),
                                                           (5, True, False)]  # fmt: skip
    assert [len(p.rows) for p in pages] == [2, 2, 1]


def test_the_list_clocks_by_marks_are_the_counted_ones(reports_engine, cases):
    """Each open case's clock from working marks is case_timing's (a waiting case without a
    stored deadline counted from its receipt); a finished case has none."""
    from datetime import datetime

    from geogrid.reports.deadlines import calendar_of
    from geogrid.reports.inbox import case_clocks, case_timing
    from geogrid.vocabulary import CHINA_TZ

    calendar = calendar_of(None)
    with reports_engine.connect() as conn:
        rows = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=50).rows
    for now in (china_now(), datetime(2026, 10, 3, 9, 30, tzinfo=CHINA_TZ)):  # a holiday too
        clocks = case_clocks(calendar, rows, now)
        assert clocks == [case_timing(calendar, r, now) if r["status"] in OPEN else None
                          for r in rows]  # fmt: skip
        assert sum(c is not None and c.due_at is not None for c in clocks) == 4
