"""What a report of each kind asks for on the phone: the category list with the fields.

The categories, their names and which are sensitive come from the seed
(reports/categories.py); this module adds only the form fields the phone asks for. A
field's answer goes into the report's text as "label：value" lines, since the report itself
has one free text (the registry of #19 will hold basic information as records).
"""

from __future__ import annotations

from geogrid.reports.categories import CATEGORIES

# code -> (label, input type) pairs; "tel" and "number" give the phone's number keyboard.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "population": (("姓名", "text"), ("身份证号", "text"), ("联系电话", "tel"),
                   ("现住址", "text"), ("变动情况", "text")),
    "rental_housing": (("房屋地址", "text"), ("房主姓名", "text"), ("房主电话", "tel"),
                       ("承租人数", "number")),
    "key_unit": (("单位名称", "text"), ("单位地址", "text"), ("负责人", "text"),
                 ("联系电话", "tel")),
    "dangerous_goods": (("物品名称", "text"), ("数量", "text"), ("存放地点", "text"),
                        ("负责人", "text")),
    "housing": (("房屋地址", "text"), ("房屋用途", "text"), ("层数", "number")),
    "organisation": (("单位名称", "text"), ("单位地址", "text"), ("负责人", "text"),
                     ("联系电话", "tel")),
    "key_person": (("姓名", "text"), ("身份证号", "text"), ("现住址", "text"),
                   ("动态情况", "text")),
    "special_group": (("姓名", "text"), ("类别", "text"), ("现住址", "text"),
                      ("联系电话", "tel")),
}  # fmt: skip
# A dynamic item asks where and how serious; its description is the report's text.
DYNAMIC_FIELDS = (("地点描述", "text"),)


def kinds() -> list[dict]:
    """Every seeded category as the phone's form shows it: code, name, kind, sensitive, fields."""
    return [
        {"code": c.code, "name": c.name_zh, "kind": c.kind, "sensitive": c.sensitive,
         "fields": [{"label": label, "type": kind}
                    for label, kind in FIELDS.get(c.code, DYNAMIC_FIELDS)]}
        for c in CATEGORIES
    ]  # fmt: skip
