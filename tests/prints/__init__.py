"""Tests of printed patrol maps, and helpers that read PDFs back with poppler-utils."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sqlalchemy import Connection, text


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext extracts it (UTF-8)."""
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-")


def pdf_info(path: Path) -> dict[str, str]:
    """pdfinfo's 'Key: value' lines as a dict (Pages, Page size, Title ...)."""
    lines = _run("pdfinfo", str(path)).splitlines()
    return dict(re.split(r":\s+", line, maxsplit=1) for line in lines if ":" in line)


def pdf_fonts(path: Path) -> list[list[str]]:
    """pdffonts rows as lists of words, header lines dropped."""
    return [line.split() for line in _run("pdffonts", str(path)).splitlines()[2:]]


def pdf_images(path: Path) -> list[str]:
    """pdfimages -list rows: any raster image in the PDF."""
    return _run("pdfimages", "-list", str(path)).splitlines()[2:]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def level2_grids(conn: Connection, station: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the active version's level-2 grids, of one station if given."""
    sql = """select g.code, g.name from grids g
             join grid_versions v on v.id = g.version_id and v.status = 'active'
             left join station_communities sc on sc.community_code = left(g.code, 12)
             left join stations s on s.id = sc.station_id
             where g.level = 2 and (cast(:s as text) is null or s.code = :s) order by g.code"""
    return [tuple(row) for row in conn.execute(text(sql), {"s": station})]


def people_on_duty(conn: Connection, codes: list[str], role: str) -> list[str]:
    """Names of the people in a role on these grid codes today."""
    sql = """select p.name from grid_assignments a join people p on p.id = a.person_id
             where a.grid_code = any(:codes) and a.role = :role and a.valid_from <= current_date
               and (a.valid_to is null or a.valid_to >= current_date)"""
    return list(conn.execute(text(sql), {"codes": codes, "role": role}).scalars())
