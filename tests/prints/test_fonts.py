"""The CJK font of printed maps: a TrueType face first, and a clear error when none is there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geogrid.errors import ConfigurationError
from geogrid.prints import fonts
from geogrid.prints.draw import new_page
from tests.prints import pdf_fonts, pdf_text


@pytest.fixture
def fresh_font_choice() -> Iterator[None]:
    """Forget the cached choice before and after the test."""
    fonts.cjk_font.cache_clear()
    yield
    fonts.cjk_font.cache_clear()


def test_first_installed_candidate_wins(
    monkeypatch: pytest.MonkeyPatch, fresh_font_choice: None
) -> None:
    missing = ("No Such Face", "no-such-face.ttc", 42)
    monkeypatch.setattr(fonts, "_CANDIDATES", (missing, *fonts._CANDIDATES))
    assert fonts.cjk_font().family == fonts._CANDIDATES[1][0]


def test_no_cjk_font_names_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, fresh_font_choice: None
) -> None:
    monkeypatch.setattr(fonts, "_CANDIDATES", (("No Such Face", "no-such-face.ttc", 42),))
    with pytest.raises(ConfigurationError, match="fonts-wqy-microhei"):
        fonts.cjk_font()


def test_text_is_embedded_as_real_truetype_and_extracts(tmp_path: Path) -> None:
    with fonts.print_style() as font:
        page = new_page(210, 297)
        page.text(20, 150, "诸城市龙都街道 网格长 比例尺 1:5,000", 12)
        page.fig.savefig(tmp_path / "font.pdf")
    assert "诸城市龙都街道 网格长 比例尺 1:5,000" in pdf_text(tmp_path / "font.pdf")
    rows = [" ".join(row) for row in pdf_fonts(tmp_path / "font.pdf")]
    assert rows and all(" yes " in row for row in rows)  # embedded
    # CFF outlines labelled TrueType are what Ghostscript and MuPDF draw blank.
    expected = "CID TrueType" if font.fonttype == 42 else "Type 3"
    assert all(expected in row for row in rows)
