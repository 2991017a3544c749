"""One page of a long list a desk reads (people, grids without their person), with the count
of the whole list, and the one rule of what a people search matches.

A desk reads 50 rows at a time: the queries draw only the page (LIMIT/OFFSET in register
number or code order) and count the whole list in the same scan, so a station of 675 people
costs what 50 cost to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from geogrid.storage.duty import on_duty_sql

PAGE_SIZE = 50
MAX_PAGE = 10_000  # further than any list of a county goes (Zhucheng: 8,613 grids)


@dataclass(frozen=True)
class PageAsk:
    """Which page of a list, and the search typed (empty: the whole list)."""

    number: int = 1
    search: str = ""
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        """Rows before the page."""
        return (self.number - 1) * self.size

    @property
    def pattern(self) -> str | None:
        """The search as a bound value (None: no search)."""
        return self.search or None


@dataclass(frozen=True)
class Paged:
    """The rows of one page and the count of the whole list."""

    ask: PageAsk
    total: int
    rows: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pages of the whole list (at least one)."""
        return max(1, -(-self.total // self.ask.size))


def paged(ask: PageAsk, rows: list[dict], count: Callable[[], int]) -> Paged:
    """The page of rows read with `count(*) over () as whole` (the count of the whole list
    in the same scan); `count` asks apart only for a page past the end, which has no row."""
    whole = rows[0]["whole"] if rows else (count() if ask.offset else 0)
    return Paged(ask, whole, [{k: v for k, v in r.items() if k != "whole"} for r in rows])


def person_matches_sql(alias: str = "p") -> str:
    """A people search as a SQL condition on people `alias` for the bound `:q` and `:day`:
    a part of the name, the start of the register number, or the start of the code of a
    grid the person holds on the day (`alias` is a name written in code, never input).

    strpos/starts_with, not LIKE, so a typed % or _ is just a character."""
    held = on_duty_sql("m")
    return (
        f"(cast(:q as text) is null or strpos({alias}.name, :q) > 0 or "
        f"starts_with({alias}.person_no, :q) or exists (select 1 from grid_assignments m "
        f"where m.person_id = {alias}.id and starts_with(m.grid_code, :q) and {held}))"
    )
