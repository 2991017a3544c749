"""A console list's page and search from the query string, and the links to its other pages
(the other lists' pages and searches on the same page are kept in each link); and the pages
of a long table held whole (the month's figures), which rows page `number` shows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from geogrid.errors import InputError
from geogrid.storage.paging import MAX_PAGE, PageAsk

MAX_SEARCH = 64  # longer than any name, register number or grid code
PAGE_ROWS = 100  # a 675-row table drew in ~20 ms of Jinja; 100 rows in a few


def page_ask(asked: Mapping[str, str], page_field: str, search_field: str) -> PageAsk:
    """The page number and search of one list; InputError names the field that is wrong."""
    number = asked.get(page_field, "") or "1"
    if not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        raise InputError(f"{page_field} {number!r} is not a page number (1-{MAX_PAGE})",
                         field=page_field)  # fmt: skip
    search = asked.get(search_field, "").strip()
    if len(search) > MAX_SEARCH or "\x00" in search:
        raise InputError(f"{search_field} is not a name, register number or grid code "
                         f"(at most {MAX_SEARCH} characters)", field=search_field)  # fmt: skip
    return PageAsk(int(number), search)


def link_to(asked: Mapping[str, str]) -> Callable[..., str]:
    """A function giving the query string of this page with some fields changed."""

    def query(**changed: object) -> str:
        kept = {k: v for k, v in asked.items() if v} | {k: str(v) for k, v in changed.items()}
        return urlencode({k: v for k, v in kept.items() if v and k != "done"})

    return query


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
