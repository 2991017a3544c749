"""What a report of each kind asks for on the phone: the category list with the fields.

The categories, their names and which are sensitive come from the seed
(reports/categories.py); this module adds only the form fields the phone asks for. The
basic-information kinds that are registry records (README "The registry") are sent as
registry proposals: their fields are the record's own (`name` is the registry field; the
standard address is searched from `address`, `id_number` travels beside the facts), with
the facts the kind fixes (a rental is housing of use "rental"). A dynamic item's (and the
other basic kinds') answers go into the report's text as "label：value" lines.
"""

from __future__ import annotations

from geogrid.registry.cycles import key_person_categories
from geogrid.reports.categories import CATEGORIES
from geogrid.vocabulary import (
    HOUSING_USE_NAMES_ZH,
    HOUSING_USES,
    KEY_PERSON_NAMES_ZH,
    RESIDENCE_NAMES_ZH,
    RESIDENCE_TYPES,
)

# code -> (label, input type) pairs; "tel" and "number" give the phone's number keyboard.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "special_group": (("姓名", "text"), ("类别", "text"), ("现住址", "text"),
                      ("联系电话", "tel")),
}  # fmt: skip
# A dynamic item asks where and how serious; its description is the report's text.
DYNAMIC_FIELDS = (("地点描述", "text"),)

# app kind -> the registry kind and the facts the kind fixes
REGISTRY_OF: dict[str, tuple[str, dict]] = {
    "population": ("resident", {}),
    "rental_housing": ("housing", {"use": "rental"}),
    "housing": ("housing", {}),
    "key_unit": ("organisation", {"key_unit": True}),
    "dangerous_goods": ("organisation", {"dangerous_goods": True}),
    "organisation": ("organisation", {}),
    "key_person": ("key_person", {}),
}
_ADDRESS = ("标准地址（如 人民路12号3号楼2单元501室）", "address", "text")
_PHONE = ("联系电话", "phone", "tel")
# app kind -> (label, registry field, input type: text, tel or "choice:<set>") in order
REGISTRY_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "population": (("姓名", "name", "text"), ("身份证号", "id_number", "text"), _ADDRESS,
                   ("户籍类型", "residence", "choice:residence"), _PHONE),
    "rental_housing": (_ADDRESS, ("房东姓名", "landlord", "text"), ("房东电话", "phone", "tel")),
    "housing": (_ADDRESS, ("房屋用途", "use", "choice:use"), ("房主姓名", "owner", "text")),
    "key_unit": (_ADDRESS, ("单位名称", "name", "text"), ("负责人", "contact", "text"), _PHONE),
    "dangerous_goods": (_ADDRESS, ("单位名称", "name", "text"), ("负责人", "contact", "text"),
                        _PHONE),
    "organisation": (_ADDRESS, ("单位名称", "name", "text"), ("单位类别", "org_kind", "text"),
                     ("负责人", "contact", "text"), _PHONE),
    "key_person": (("姓名", "name", "text"), ("身份证号", "id_number", "text"), _ADDRESS,
                   ("类别", "category", "choice:key_person"), ("情况", "note", "text")),
}  # fmt: skip


def kinds() -> list[dict]:
    """Every seeded category as the phone's form shows it: code, name, kind, sensitive,
    fields, and for registry kinds the record kind and the facts it fixes."""
    return [_kind(c) for c in CATEGORIES]


def _kind(category) -> dict:
    found = {"code": category.code, "name": category.name_zh, "kind": category.kind,
             "sensitive": category.sensitive}  # fmt: skip
    registry = REGISTRY_OF.get(category.code)
    if registry is None:
        asked = FIELDS.get(category.code, DYNAMIC_FIELDS)
        found["fields"] = [{"label": label, "type": kind} for label, kind in asked]
        return found
    found["registry"] = {"kind": registry[0], "fixed": registry[1]}
    # Anything but an organisation holds personal data (a house may be let): receipt only.
    found["sensitive"] = category.sensitive or registry[0] != "organisation"
    found["fields"] = [_field(label, name, kind) for label, name, kind in
                       REGISTRY_FIELDS[category.code]]  # fmt: skip
    return found


def _field(label: str, name: str, kind: str) -> dict:
    if not kind.startswith("choice:"):
        return {"label": label, "name": name, "type": kind}
    return {"label": label, "name": name, "type": "choice", "options": _choices(kind[7:])}


def _choices(which: str) -> list[list[str]]:
    if which == "residence":
        return [[v, RESIDENCE_NAMES_ZH[v]] for v in RESIDENCE_TYPES]
    if which == "use":
        return [[v, HOUSING_USE_NAMES_ZH[v]] for v in HOUSING_USES]
    return [[v, KEY_PERSON_NAMES_ZH.get(v, v)] for v in key_person_categories()]
