"""A search's share of the reports (which index reads its page) is read once and kept."""

from __future__ import annotations

from sqlalchemy import event

from geogrid.storage import text_grams
from geogrid.storage.text_grams import words_share


def test_a_search_share_is_read_once_then_kept_for_a_while(connection, monkeypatch):
    """The second ask of the same words sends no statement; once the time kept is over
    it is read again, and other words are read on their own."""
    monkeypatch.setattr(text_grams, "_KEPT", {})
    sent: list[str] = []
    conn = connection
    event.listen(conn, "before_cursor_execute", lambda *a: sent.append(a[2]))
    first = words_share(conn, "纠纷")
    assert len(sent) == 1 and "pg_stats" in sent[0]
    assert words_share(conn, "纠纷") == first and len(sent) == 1
    words_share(conn, "诈骗")
    assert len(sent) == 2
    monkeypatch.setattr(text_grams, "SHARE_KEPT_S", 0.0)
    assert words_share(conn, "纠纷") == first and len(sent) == 3
