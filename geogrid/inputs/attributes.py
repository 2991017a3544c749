"""Turning a user's attribute columns into geogrid's fields, value by value.

Each function returns the cleaned column and reports bad values as problems naming the
feature and the field.
"""

from __future__ import annotations

import math

import pandas as pd

from geogrid.geo.text import unstorable_text
from geogrid.inputs.checks import ERROR, WARNING, LayerCheck
from geogrid.inputs.fieldmap import FIELD_ALIASES, REQUIRED_FIELDS, FieldMapping

COMMUNITY_KINDS = {"城市": "urban", "城镇": "urban", "街道": "urban", "urban": "urban",
                   "农村": "rural", "乡村": "rural", "rural": "rural"}  # fmt: skip
PERSON_ROLES = {"网格长": "grid_leader", "警务助理": "grid_leader", "grid_leader": "grid_leader",
                "网格信息员": "information_officer", "信息员": "information_officer",
                "information_officer": "information_officer",
                "社区民警": "community_police", "民警": "community_police",
                "community_police": "community_police"}  # fmt: skip
VETTING = {"通过": "passed", "passed": "passed", "待审": "pending", "pending": "pending",
           "未通过": "failed", "failed": "failed", "": "pending"}  # fmt: skip
INTEGER_FIELDS = {"households", "residents", "age"}
# What an absent value means (a household point with no 户数 is one household).
FIELD_DEFAULTS = {
    "county": {"code": "", "name": ""},
    "communities": {"town": ""},
    "streets": {"name": "", "kind": ""},
    "households": {"households": 1, "address": ""},
    "stations": {"phone": ""},
}
CODED = {
    ("communities", "kind"): COMMUNITY_KINDS,
    ("people", "role"): PERSON_ROLES,
    ("people", "vetting"): VETTING,
}


def geogrid_fields(check: LayerCheck, frame: pd.DataFrame, mapping: FieldMapping) -> pd.DataFrame:
    """A frame of geogrid's fields for the role, from the user's columns."""
    geometry = getattr(frame, "_geometry_column_name", None)
    columns = [str(c) for c in frame.columns if c != geometry]
    out = pd.DataFrame(index=range(len(frame)))
    for wanted in FIELD_ALIASES[check.role]:
        source = mapping.column_for(check.role, wanted, columns)
        if source is None:
            _missing_column(check, wanted)
            out[wanted] = None
            continue
        values = [_text(v) for v in frame[source].tolist()]
        out[wanted] = _clean(check, wanted, source, values)
    for wanted, default in FIELD_DEFAULTS.get(check.role, {}).items():
        out[wanted] = out[wanted].astype(object).where(out[wanted].notna(), default)
    return out


def _missing_column(check: LayerCheck, wanted: str) -> None:
    if wanted in REQUIRED_FIELDS[check.role]:
        for i in range(len(check.feature_ids)):
            check.report(i, wanted, f"no column for required field {wanted!r}")
    elif (check.role, wanted) == ("communities", "kind"):
        check.problems.append(_layer_note(check, wanted, "no urban/rural column: inferred"))


def _layer_note(check: LayerCheck, field: str, message: str):
    from geogrid.inputs.checks import Problem

    return Problem(check.file, check.layer, "*", field, message, WARNING)


def _clean(check: LayerCheck, wanted: str, source: str, values: list[str | None]) -> list:
    coded = CODED.get((check.role, wanted))
    required = wanted in REQUIRED_FIELDS[check.role]
    cleaned: list = []
    for i, value in enumerate(values):
        problem = unstorable_text(value) if value else None
        if problem is not None:
            check.report(i, source, f"{source!r} {problem}")
            cleaned.append(None)
        elif required and not value:
            check.report(i, source, f"required field {source!r} is empty")
            cleaned.append(None)
        elif coded is not None:
            cleaned.append(_coded(check, i, source, value or "", coded))
        elif wanted in INTEGER_FIELDS:
            cleaned.append(_integer(check, i, source, value))
        else:
            cleaned.append(value)
    return cleaned


def _coded(check: LayerCheck, i: int, source: str, value: str, table: dict[str, str]) -> str | None:
    found = table.get(value) or table.get(value.lower())
    if found is None:
        known = ", ".join(sorted({k for k in table if k}))
        check.report(i, source, f"unknown value {value!r} in {source!r} (known: {known})")
    return found


def _integer(check: LayerCheck, i: int, source: str, value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0 or number != int(number):
        check.report(i, source, f"{source!r} must be a whole number ≥ 0, got {value!r}", ERROR)
        return None
    return int(number)


def _text(value) -> str | None:
    """Cell to text; 370782001.0 read from a DBF as a float becomes '370782001'."""
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    text = str(value).strip()
    return text or None
