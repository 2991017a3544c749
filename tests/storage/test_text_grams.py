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


def test_a_search_without_cased_characters_uses_like_and_finds_what_ilike_finds(connection):
    """No character lower-cases to one of a caseless search's (so `like` is exact there);
    such a search is a `like`, a cased one an `ilike`; both find what a plain `ilike` finds
    in texts with upper-case, full-width and look-alike characters."""
    import sys

    from sqlalchemy import Text, column, select, values

    caseless = text_grams._CASELESS
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        for lowered in {char.lower(), char.casefold()}:
            for other in lowered:
                assert other == char or not caseless.fullmatch(other), (char, other)
    texts = ["纠纷ＡＢ", "ẞtraße 纠纷", "ABC１２。", "Ⅰ号楼 100%", "邻里_纠纷", "KELVIN", "\\x"]
    rows = values(column("x", Text), name="t").data([(t,) for t in texts])
    shown = select(rows.c.x)
    for words, kind in [("纠纷", "LIKE"), ("１２。", "LIKE"), ("100%", "LIKE"), ("_", "LIKE"),
                        ("\\", "LIKE"), ("ß", "ILIKE"), ("ａｂ", "ILIKE"), ("ⅰ", "ILIKE"),
                        ("kelvin", "ILIKE"), ("abc", "ILIKE")]:  # fmt: skip
        condition = text_grams.holds_text(rows.c.x, words)
        compiled = str(condition.compile(connection))
        assert f" {kind} " in compiled.upper() and (kind == "ILIKE") == (
            "ILIKE" in compiled.upper()
        )
        got = set(connection.execute(shown.where(condition)).scalars())
        escaped = words.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        plain = rows.c.x.ilike(f"%{escaped}%", escape="\\")
        assert got == set(connection.execute(shown.where(plain)).scalars()), words
        assert got or kind == "ILIKE", words
