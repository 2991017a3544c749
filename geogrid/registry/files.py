"""Registry files as offices keep them: CSV (UTF-8 or GBK) or XLSX, one kind of record a
file, with Chinese or English column names, mapped to the registry's fields.

Built-in aliases cover the common column names; a mapping file (TOML) like the boundary
loader's covers the rest:

    [fields]               # registry field = the file's column
    name = "XM"
    id_number = "SFZH"

Values offices write in words (户籍/流动, 出租, 是/否, 吸毒人员 ...) are read to the
registry's own.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from pathlib import Path

from geogrid.errors import InputError
from geogrid.geo.encoding import file_encoding
from geogrid.registry.changes import FIELDS

# Fields every kind may have besides its own (where, who, when).
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "address": ("address", "地址", "标准地址", "住址", "门牌地址"),
    "address_code": ("address_code", "地址编码", "标准地址编码"),
    "lon": ("lon", "经度", "x"),
    "lat": ("lat", "纬度", "y"),
    "id_number": ("id_number", "身份证号", "身份证号码", "公民身份号码"),
    "started_on": ("started_on", "登记日期", "到达日期", "入住日期", "起始日期"),
    "ended_on": ("ended_on", "离开日期", "注销日期"),
}
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名称", "单位名称"),
    "residence": ("residence", "户籍类型", "人口类型"),
    "gender": ("gender", "性别"), "birth_date": ("birth_date", "出生日期"),
    "phone": ("phone", "电话", "联系电话", "手机"), "household_head": ("household_head", "户主"),
    "use": ("use", "房屋用途", "用途"), "owner": ("owner", "房主", "产权人"),
    "landlord": ("landlord", "房东", "出租人"), "tenants": ("tenants", "承租人", "租客"),
    "contract_from": ("contract_from", "合同起始", "租赁起始"),
    "contract_to": ("contract_to", "合同截止", "租赁截止"),
    "org_kind": ("org_kind", "单位类型"), "contact": ("contact", "联系人", "负责人"),
    "key_unit": ("key_unit", "重点单位"), "dangerous_goods": ("dangerous_goods", "危险物品"),
    "category": ("category", "类别", "人员类别"), "note": ("note", "备注"),
}  # fmt: skip
VALUE_WORDS: dict[str, dict[str, str]] = {
    "residence": {"户籍": "registered", "常住": "registered", "流动": "floating"},
    "use": {"自住": "home", "住宅": "home", "商铺": "shop", "门店": "shop", "出租": "rental",
            "空置": "vacant", "其他": "other"},
    "category": {"肇事肇祸精神障碍患者": "mental_illness", "吸毒人员": "drug_user",
                 "社区矫正人员": "community_correction", "刑满释放人员": "released_prisoner",
                 "重点信访人员": "petitioner", "其他": "other"},
    "gender": {"男": "male", "女": "female"},
}  # fmt: skip
TRUE_WORDS, FALSE_WORDS = (
    {"是", "有", "1", "true", "yes", "y"},
    {"否", "无", "0", "false", "no", "n", ""},
)


def read_table(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows (as text) of a CSV or XLSX file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path)
    handle = path.open(encoding=file_encoding(path), newline="")
    rows = csv.reader(handle)
    header = next(rows, None)
    if header is None:
        raise InputError(f"{path}: the file is empty")
    return [h.strip() for h in header], rows


def read_mapping(path: Path | None) -> dict[str, str]:
    """The [fields] table of a mapping file (registry field -> the file's column)."""
    if path is None:
        return {}
    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("fields", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the field mapping: {exc}") from None
    return {str(k): str(v) for k, v in table.items()}


def column_map(header: list[str], kind: str, mapping: dict[str, str]) -> dict[str, int]:
    """Registry field -> column position, by the mapping, else the aliases."""
    wanted = COMMON_ALIASES | {f: FIELD_ALIASES[f] for f in FIELDS[kind]}
    unknown = sorted(set(mapping) - set(wanted))
    if unknown:
        raise InputError(f"mapping: {unknown[0]!r} is not a field of a {kind} record",
                         field=unknown[0])  # fmt: skip
    lower = {name.lower(): i for i, name in enumerate(header)}
    found = {}
    for field, aliases in wanted.items():
        names = (mapping[field],) if field in mapping else aliases
        position = next((lower[n.lower()] for n in names if n.lower() in lower), None)
        if position is None and field in mapping:
            raise InputError(f"mapping: column {mapping[field]!r} (for {field}) is not in the "
                             f"file", field=field)  # fmt: skip
        if position is not None:
            found[field] = position
    if "address" not in found and "address_code" not in found:
        raise InputError("the file has no address column (地址) and no address code (地址编码)",
                         field="address")  # fmt: skip
    return found


def field_value(kind: str, field: str, raw: str):
    """A cell's text as the registry field takes it (words read, lists split, bools)."""
    text = raw.strip()
    type_ = FIELDS[kind].get(field, ("text", False))[0]
    if type_ == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        return False if text.lower() in FALSE_WORDS else text  # the check names it
    if type_ == "texts":
        return [t for t in (p.strip() for p in text.replace("，", "、").replace(",", "、")
                            .split("、")) if t]  # fmt: skip
    if text == "":
        return None
    return VALUE_WORDS.get(field, {}).get(text, text)


def _xlsx(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"{path}: not a readable XLSX file ({exc})") from None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise InputError(f"{path}: the sheet is empty")

    def text_rows() -> Iterator[list[str]]:
        for row in rows:
            yield ["" if v is None else _cell(v) for v in row]

    return [_cell(h).strip() if h is not None else "" for h in header], text_rows()


def _cell(value) -> str:
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()  # a date cell
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
