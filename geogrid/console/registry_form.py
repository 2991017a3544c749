"""The console's form that completes a basic-information report's proposal into a record:
a field set per record kind (the registry's own fields, `registry/changes.py`), read back
into the `Change` that `records.decide` checks as it checks any proposal."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from geogrid.errors import InputError
from geogrid.registry.changes import CHOICES, FIELDS, Change
from geogrid.registry.cycles import key_person_categories

KIND_NAMES_ZH = {"housing": "房屋", "resident": "实有人口", "organisation": "单位",
                 "key_person": "重点人员"}  # fmt: skip
FIELD_NAMES_ZH = {
    "use": "用途", "owner": "房主", "landlord": "出租人", "tenants": "承租人（逗号分隔）",
    "contract_from": "租期自", "contract_to": "租期至", "phone": "电话", "name": "姓名",
    "residence": "户籍/流动", "gender": "性别", "birth_date": "出生日期",
    "household_head": "户主", "org_kind": "单位类别", "contact": "联系人",
    "key_unit": "重点单位", "dangerous_goods": "危险物品", "category": "类别", "note": "说明",
}  # fmt: skip
# Which proposal kinds a report of each category most likely becomes (the form's first pick).
LIKELY_KIND = {"population": "resident", "rental_housing": "housing", "housing": "housing",
               "key_unit": "organisation", "dangerous_goods": "organisation",
               "organisation": "organisation", "key_person": "key_person",
               "special_group": "key_person"}  # fmt: skip


def field_sets(cycles_file: Path | None = None) -> list[dict]:
    """Per record kind: its fields as the form draws them (name, label, type, choices)."""
    sets = []
    for kind, fields in FIELDS.items():
        shown = []
        for name, (type_, required) in fields.items():
            choices = CHOICES.get((kind, name))
            if (kind, name) == ("key_person", "category"):
                choices = key_person_categories(cycles_file)
            shown.append({"name": name, "label": FIELD_NAMES_ZH.get(name, name), "type": type_,
                          "required": required, "choices": choices})  # fmt: skip
        sets.append({"kind": kind, "label": KIND_NAMES_ZH[kind], "fields": shown})
    return sets


def completed_from_form(form) -> Change | None:
    """The record the officer filled in (None when no kind was chosen): the chosen kind's
    fields, each named `<kind>.<field>`; booleans 是/否, lists split at commas."""
    kind = form.get("kind")
    if not kind:
        return None
    if kind not in FIELDS:
        raise InputError(f"kind: one of {', '.join(FIELDS)}, not {kind!r}", field="kind")
    data = {}
    for name, (type_, _) in FIELDS[kind].items():
        value = form.get(f"{kind}.{name}")
        if value == "":
            continue
        if type_ == "bool":
            data[name] = value in ("true", "是")
        elif type_ == "texts":
            data[name] = [v.strip() for v in re.split(r"[,，、]", value) if v.strip()]
        else:
            data[name] = value
    return Change(kind, form.get("address_code"), data, id_number=form.get("id_number") or None,
                  started_on=_day(form.get("started_on"), "started_on"))  # fmt: skip


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{field}: a date (YYYY-MM-DD)", field=field) from None
