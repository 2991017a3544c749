"""Inspection and visit cycles per record category, from geogrid/data/registry_cycles.toml
(or the file of the setting GEOGRID_REGISTRY_CYCLES_FILE, whose entries replace those)."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from geogrid.errors import InputError

CYCLES_FILE = Path(__file__).parents[1] / "data" / "registry_cycles.toml"


@lru_cache(maxsize=4)
def load_cycles(extra: Path | None = None) -> dict[str, int]:
    """Days per "kind.category", the shipped ones with `extra`'s replacing them."""
    cycles = _read(CYCLES_FILE)
    if extra is not None:
        cycles |= _read(extra)
    return cycles


def key_person_categories(extra: Path | None = None) -> tuple[str, ...]:
    """The categories a key person may be filed under (those with a visit cycle)."""
    prefix = "key_person."
    return tuple(k[len(prefix) :] for k in load_cycles(extra) if k.startswith(prefix))


def due_on(kind: str, category: str, since: date, extra: Path | None = None) -> date | None:
    """The day the next check falls due after `since`; None when the category has none."""
    days = load_cycles(extra).get(f"{kind}.{category}")
    return None if days is None else since + timedelta(days=days)


def _read(path: Path) -> dict[str, int]:
    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("cycle_days", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the registry cycles: {exc}") from None
    bad = [k for k, v in table.items() if not isinstance(v, int) or v < 1 or "." not in k]
    if bad:
        raise InputError(f"{path}: cycle_days {bad[0]!r}: a whole number of days (>= 1) "
                         "under a \"kind.category\" key")  # fmt: skip
    return dict(table)
