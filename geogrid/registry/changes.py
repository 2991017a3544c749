"""What a registry record of each kind holds, and the checks a proposed change must pass.

Pure: a change's facts in, its cleaned facts and category out, or an InputError naming the
field (`data.use`, `started_on` ...). A category is what a record's cycle is set by: a
house's use, a resident's residence (户籍 registered / 流动 floating), an organisation's
standing (dangerous goods, key unit or ordinary), a key person's category.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geogrid.errors import InputError
from geogrid.geo.text import unstorable_text
from geogrid.registry.cycles import key_person_categories
from geogrid.vocabulary import HOUSING_USES, REGISTRY_DETAIL_KINDS, REGISTRY_KINDS, RESIDENCE_TYPES

MAX_TEXT = 200
MAX_TENANTS = 50

# Each kind's fields: name -> type ("text", "date", "bool", "texts") and whether required.
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "housing": {"use": ("text", True), "owner": ("text", False), "landlord": ("text", False),
                "tenants": ("texts", False), "contract_from": ("date", False),
                "contract_to": ("date", False), "phone": ("text", False)},
    "resident": {"name": ("text", True), "residence": ("text", True), "gender": ("text", False),
                 "birth_date": ("date", False), "phone": ("text", False),
                 "household_head": ("bool", False)},
    "organisation": {"name": ("text", True), "org_kind": ("text", False),
                     "contact": ("text", False), "phone": ("text", False),
                     "key_unit": ("bool", False), "dangerous_goods": ("bool", False)},
    "key_person": {"name": ("text", True), "category": ("text", True),
                   "phone": ("text", False), "note": ("text", False)},
}  # fmt: skip
CHOICES = {("housing", "use"): HOUSING_USES, ("resident", "residence"): RESIDENCE_TYPES}


@dataclass(frozen=True)
class Change:
    """A new record (no record_id) or a change of one: its kind, address, facts, dates.

    The ID number is held here in clear only on its way to being encrypted.
    """

    kind: str
    address_code: str
    data: dict
    record_id: int | None = None
    id_number: str | None = None
    started_on: date | None = None
    ended_on: date | None = None

    def __repr__(self) -> str:  # never the ID number, in a log or a traceback
        return (f"Change(kind={self.kind!r}, address_code={self.address_code!r}, "
                f"record_id={self.record_id!r})")  # fmt: skip


def check_data(
    kind: str, data: dict, *, partial: bool = False, cycles_file: Path | None = None
) -> dict:
    """The cleaned facts of a kind (`partial`: a change of some fields of a record)."""
    if kind not in REGISTRY_KINDS:
        raise InputError(f"kind: one of {', '.join(REGISTRY_KINDS)}, not {kind!r}", field="kind")
    if not isinstance(data, dict):
        raise InputError("data: an object of the record's fields", field="data")
    fields = FIELDS[kind]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InputError(f"data.{unknown[0]}: not a field of a {kind} record "
                         f"({', '.join(fields)})", field=f"data.{unknown[0]}")  # fmt: skip
    clean = {name: _value(kind, name, fields[name][0], data[name]) for name in data}
    missing = [n for n, (_, required) in fields.items() if required and clean.get(n) in (None, "")]
    if missing and not partial:
        raise InputError(f"data.{missing[0]}: required for a {kind} record",
                         field=f"data.{missing[0]}")  # fmt: skip
    if kind == "key_person" and "category" in clean:
        allowed = key_person_categories(cycles_file)
        if clean["category"] not in allowed:
            raise InputError(f"data.category: one of {', '.join(allowed)}", field="data.category")
    _check_contract(clean)
    return clean


def category_of(kind: str, data: dict) -> str:
    """The category a record's cycle is set by (see the module's docstring)."""
    if kind == "housing":
        return data.get("use", "")
    if kind == "resident":
        return data.get("residence", "")
    if kind == "organisation":
        if data.get("dangerous_goods"):
            return "dangerous_goods"
        return "key_unit" if data.get("key_unit") else "ordinary"
    return data.get("category", "")


def is_sensitive(kind: str, category: str) -> bool:
    """Residents, key persons and rentals: details for the station and the county only."""
    return kind in REGISTRY_DETAIL_KINDS or (kind == "housing" and category == "rental")


def _value(kind: str, name: str, type_: str, value):
    where = f"data.{name}"
    if value is None:
        return None
    if type_ == "bool":
        if not isinstance(value, bool):
            raise InputError(f"{where}: true or false", field=where)
        return value
    if type_ == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise InputError(f"{where}: a date (YYYY-MM-DD)", field=where) from None
    if type_ == "texts":
        if not isinstance(value, list) or len(value) > MAX_TENANTS:
            raise InputError(f"{where}: a list of at most {MAX_TENANTS} names", field=where)
        return [_text(where, v) for v in value]
    text = _text(where, value)
    choices = CHOICES.get((kind, name))
    if choices and text not in choices:
        raise InputError(f"{where}: one of {', '.join(choices)}, not {text!r}", field=where)
    return text


def _text(where: str, value) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(f"{where}: text", field=where)
    text = str(value).strip()
    problem = unstorable_text(text)
    if problem or len(text) > MAX_TEXT:
        raise InputError(f"{where}: {problem or f'at most {MAX_TEXT} characters'}", field=where)
    return text


def _check_contract(data: dict) -> None:
    start, end = data.get("contract_from"), data.get("contract_to")
    if start and end and end < start:
        raise InputError("data.contract_to: before data.contract_from", field="data.contract_to")
