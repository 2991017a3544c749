"""A console list's page and search from the query string, and the links to its other pages
(the other lists' pages and searches on the same page are kept in each link)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from geogrid.errors import InputError
from geogrid.storage.paging import MAX_PAGE, PageAsk

MAX_SEARCH = 64  # longer than any name, register number or grid code


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
