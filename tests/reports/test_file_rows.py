"""The ids a file's rows get from their content and turn, whatever the chunks."""

from __future__ import annotations

import pandas as pd

from geogrid.reports.file_rows import FileRows

ROWS = pd.DataFrame({
    "category": ["dispute", "fire_hazard", "dispute", "dispute", "fire_hazard"],
    "lon": ["119.4", "119.5", "119.4", "119.4", "119.5"],
    "lat": ["36.0", "36.0", "36.0", "36.0", "36.1"],
    "reported_at": ["", "2026-06-01T10:00", "", "", ""],
})  # fmt: skip


def ids_in_chunks(frame: pd.DataFrame, size: int) -> list[str]:
    """The ids of a file's rows read `size` rows at a time."""
    rows = FileRows()
    return [i for s in range(0, len(frame), size) for i in rows.ids(frame[s : s + size])[0]]


def test_a_row_is_known_by_its_content_and_turn_however_the_chunks_fall() -> None:
    whole = ids_in_chunks(ROWS, 5)
    assert whole == ids_in_chunks(ROWS, 2) == ids_in_chunks(ROWS, 1)
    assert len(set(whole)) == 5, "a row written three times is three reports"
    assert [i.rsplit(":", 1)[1] for i in whole] == ["1", "1", "2", "3", "1"]
    assert whole[0].rsplit(":", 1)[0] == whole[2].rsplit(":", 1)[0] == whole[3].rsplit(":", 1)[0]


def test_aliases_and_other_columns_do_not_change_a_row() -> None:
    other = ROWS.rename(columns={"lon": "经度", "category": "类别"}).assign(exported="today")
    assert ids_in_chunks(other, 5) == ids_in_chunks(ROWS, 5)
    moved = ROWS.assign(lat=["36.0", "36.0", "36.0", "36.0", "36.2"])
    assert ids_in_chunks(moved, 5)[4] != ids_in_chunks(ROWS, 5)[4], "another place, another row"


def test_the_body_hash_is_the_same_for_the_same_content() -> None:
    _, bodies = FileRows().ids(ROWS)
    assert bodies[0] == bodies[2] and bodies[0] != bodies[1] and len(bodies[0]) == 16
