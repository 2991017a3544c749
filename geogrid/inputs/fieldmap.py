"""Layer roles, the fields geogrid wants for each, and how a user's field names map to them.

Offices name fields their own way (名称, 村名, SQMC, NAME ...). Built-in aliases cover the
common Chinese and English names; a mapping file (TOML) covers the rest:

    [communities]          # a role
    code = "SQDM"          # geogrid field = the user's field name
    name = "SQMC"

    [layers]               # optional: which role a layer of the file plays
    "村界" = "villages"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geogrid.errors import InputError

ROLES = ("county", "communities", "villages", "streets", "households", "stations", "people")

# role -> geogrid field -> aliases (compared case-insensitively), first the canonical name.
FIELD_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "county": {"code": ("code", "行政区划代码", "区划代码", "adcode"), "name": ("name", "名称")},
    "communities": {
        "code": ("code", "社区代码", "村居代码", "代码"),
        "name": ("name", "社区名称", "名称", "社区名"),
        "kind": ("kind", "类型", "城乡类型"),
        "town": ("town", "镇街", "乡镇", "街道"),
        "station_code": ("station_code", "派出所代码"),
    },
    "villages": {
        "code": ("code", "村代码", "自然村代码", "代码"),
        "name": ("name", "村名", "自然村名", "名称"),
        "community_code": ("community_code", "社区代码"),
    },
    "streets": {"name": ("name", "街路巷名", "道路名称", "名称"), "kind": ("kind", "类型")},
    "households": {
        "households": ("households", "户数"),
        "residents": ("residents", "人口", "人数"),
        "address": ("address", "地址", "门牌"),
    },
    "stations": {
        "code": ("code", "派出所代码", "代码"),
        "name": ("name", "派出所名称", "名称"),
        "phone": ("phone", "电话"),
    },
    "people": {
        "person_no": ("person_no", "人员编号", "编号"),
        "name": ("name", "姓名"),
        "gender": ("gender", "性别"),
        "age": ("age", "年龄"),
        "phone": ("phone", "电话", "手机"),
        "role": ("role", "角色", "职务"),
        "community_code": ("community_code", "社区代码"),
        "station_code": ("station_code", "派出所代码"),
        "vetting": ("vetting", "政审状态", "审查状态"),
    },
}
REQUIRED_FIELDS = {
    "county": (),
    "communities": ("code", "name"),
    "villages": ("code", "name"),
    "streets": (),
    "households": (),
    "stations": ("code", "name"),
    "people": ("person_no", "name", "role"),
}
ROLE_BY_LAYER_NAME = {
    "county": "county", "outline": "county", "县界": "county", "行政区": "county",
    "communities": "communities", "community": "communities", "社区": "communities",
    "villages": "villages", "village": "villages", "自然村": "villages", "村界": "villages",
    "streets": "streets", "roads": "streets", "街路巷": "streets", "道路": "streets",
    "households": "households", "buildings": "households", "住户": "households",
    "stations": "stations", "派出所": "stations", "people": "people", "人员": "people",
}  # fmt: skip


@dataclass
class FieldMapping:
    """A user's overrides: role -> geogrid field -> their field; layer name -> role."""

    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)

    def role_of(self, layer: str, forced: str | None = None) -> str | None:
        """The role a layer plays: forced by --role, named in the file, or by its name."""
        role = forced or self.layers.get(layer) or ROLE_BY_LAYER_NAME.get(layer.lower())
        if role is None:
            stem = layer.lower().split(".")[0]
            role = next((r for key, r in ROLE_BY_LAYER_NAME.items() if key in stem), None)
        return role

    def column_for(self, role: str, wanted: str, columns: list[str]) -> str | None:
        """The user's column holding geogrid's field `wanted`, or None when there is none."""
        by_lower = {str(column).lower(): str(column) for column in columns}
        explicit = self.fields.get(role, {}).get(wanted)
        if explicit is not None:
            return by_lower.get(explicit.lower())
        aliases = FIELD_ALIASES[role][wanted]
        return next((by_lower[a.lower()] for a in aliases if a.lower() in by_lower), None)


def load_field_mapping(path: Path | None) -> FieldMapping:
    """Read a TOML mapping file; no path gives the built-in aliases alone."""
    if path is None:
        return FieldMapping()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"field mapping {path}: cannot be read ({exc})") from None
    layers = {str(k): str(v) for k, v in data.pop("layers", {}).items()}
    for layer, role in layers.items():
        if role not in ROLES:
            raise InputError(f"field mapping {path}: layer {layer!r} has unknown role {role!r}")
    fields: dict[str, dict[str, str]] = {}
    for role, table in data.items():
        if role not in ROLES or not isinstance(table, dict):
            raise InputError(f"field mapping {path}: [{role}] is not a role ({', '.join(ROLES)})")
        unknown = set(table) - set(FIELD_ALIASES[role])
        if unknown:
            raise InputError(
                f"field mapping {path}: [{role}] has no field {sorted(unknown)[0]!r} "
                f"(fields: {', '.join(FIELD_ALIASES[role])})"
            )
        fields[role] = {str(k): str(v) for k, v in table.items()}
    return FieldMapping(fields=fields, layers=layers)
