"""Server-side pages of a long console table: which rows page `number` shows."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_ROWS = 100  # a 675-row table drew in ~20 ms of Jinja; 100 rows in a few


@dataclass(frozen=True)
class TablePage:
    """One page of a table: its rows, its number (1-based) and how many pages there are."""

    rows: list
    number: int
    pages: int


def table_page(rows: list, number: int, per_page: int = PAGE_ROWS) -> TablePage:
    """Page `number` of `rows` (a number past the last gives the last page)."""
    pages = max(1, -(-len(rows) // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return TablePage(rows[start : start + per_page], number, pages)


def page_links(params: dict[str, str]):
    """The query string of page n with the other parameters kept (for `_month_pager.html`)."""
    kept = {k: v for k, v in params.items() if k != "page" and v not in ("", None)}
    return lambda n: urlencode({**kept, "page": n})
