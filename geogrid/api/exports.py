"""Reports and the assessment table as CSV (UTF-8 with a BOM, so Excel shows the Chinese)
and reports as GeoJSON, written row by row as they stream from the database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from geogrid.reports.stats import AssessmentRow

BOM = "\ufeff"
REPORT_COLUMNS = (
    "id", "category", "category_name", "status", "reported_at", "received_at", "lon", "lat",
    "received_x", "received_y", "received_crs", "method", "distance_m", "route",
    "station_code", "department_code", "community_code", "grid_code", "grid_name", "unit_code",
    "leader_name", "officer_name", "reporter", "text", "redacted", "duplicate_of",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    ("person_no", "人员编号"), ("name", "姓名"), ("roles", "角色"), ("grids", "网格"),
    ("station", "派出所"), ("reports", "上报数"), ("hazards", "发现隐患"),
    ("disputes", "矛盾纠纷"), ("disputes_mediated", "化解纠纷"),
    ("cases_assisted", "协助案件"), ("resolved", "已办结"), ("open", "未办结"),
    ("median_hours_to_resolve", "办结时长中位数(小时)"),
    ("acceptance_on_time_rate", "受理及时率"), ("handling_on_time_rate", "按期处置率"),
    ("rework_rate", "返工率"), ("extension_rate", "延期率"), ("closure_rate", "结案率"),
    ("median_hours_to_close", "结案时长中位数(小时)"),
    ("p90_hours_to_close", "结案时长90分位(小时)"), ("valid_report_rate", "有效上报率"),
    ("verifications_on_time", "按时核查"), ("open_overdue", "超期未处置"),
)  # fmt: skip
KPI_COLUMNS = tuple(en for en, _ in ASSESSMENT_COLUMNS[13:])  # read from Figures.kpis
ASSESSMENT_COLUMNS += (("patrol_coverage", "巡查覆盖率"),)  # read from the row


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _csv_line(values: Iterable) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_text(v) for v in values])
    return buffer.getvalue()


def report_csv(rows: Iterable[dict]) -> Iterator[str]:
    """Reports as CSV lines, header first."""
    yield BOM + _csv_line(REPORT_COLUMNS)
    for row in rows:
        yield _csv_line(row[c] for c in REPORT_COLUMNS)


def report_geojson(rows: Iterable[dict]) -> Iterator[str]:
    """Reports as a GeoJSON FeatureCollection of points, one feature per chunk."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows:
        properties = {c: _json_value(row[c]) for c in REPORT_COLUMNS if c not in ("lon", "lat")}
        feature = {"type": "Feature", "id": str(row["id"]),
                   "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                   "properties": properties}  # fmt: skip
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _text(value)


def assessment_values(row: AssessmentRow) -> dict:
    """One assistant's row of the table: column name (ASSESSMENT_COLUMNS) -> value."""
    f = row.figures
    return {
        "person_no": row.person_no, "name": row.name, "roles": " ".join(row.roles),
        "grids": " ".join(row.grids), "station": row.station, "reports": f.reports,
        "hazards": f.hazards, "disputes": f.disputes,
        "disputes_mediated": f.disputes_mediated, "cases_assisted": f.cases_assisted,
        "resolved": f.resolved, "open": f.open,
        "median_hours_to_resolve": f.median_hours_to_resolve,
        "patrol_coverage": row.patrol_coverage,
    } | {name: getattr(f.kpis, name) for name in KPI_COLUMNS}  # fmt: skip


def assessment_csv(rows: list[AssessmentRow]) -> str:
    """The assessment table as CSV with Chinese and English headers."""
    lines = [BOM + _csv_line([f"{zh} {en}" for en, zh in ASSESSMENT_COLUMNS])]
    for row in rows:
        values = assessment_values(row)
        lines.append(_csv_line(values[en] for en, _ in ASSESSMENT_COLUMNS))
    return "".join(lines)


def assessment_xlsx(rows: list[AssessmentRow], month: str) -> bytes:
    """The assessment table as an Excel workbook (one sheet, the CSV's columns)."""
    from openpyxl import Workbook  # only when a workbook is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"考核 {month}")
    sheet.append([f"{zh} {en}" for en, zh in ASSESSMENT_COLUMNS])
    for row in rows:
        values = assessment_values(row)
        sheet.append([_cell(values[en]) for en, _ in ASSESSMENT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    return value if value is None or isinstance(value, int | float | str) else _text(value)
