"""The sample county's registry (the demo): addresses from the stored household points,
records at sample rates, stored as confirmed by "geogrid sample" (sample/registry.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine, text

from geogrid.registry.addresses import CHUNK, store_addresses
from geogrid.registry.bulk import insert_records
from geogrid.registry.idnumbers import IdCipher
from geogrid.reports.index import load_index
from geogrid.sample.registry import sample_registry
from geogrid.storage.sources import read_source_frames
from geogrid.vocabulary import china_today

ACTOR = "geogrid sample"


@dataclass
class SampleRegistryResult:
    """What was stored (nothing when the registry already held records)."""

    addresses: int = 0
    records: Counter = field(default_factory=Counter)  # kind -> count
    skipped: bool = False


def load_sample_registry(
    engine: Engine, cipher: IdCipher, today: date | None = None, seed: int = 2026
) -> SampleRegistryResult:
    """Store the sample registry unless the registry already holds records."""
    with engine.connect() as conn:
        if conn.execute(text("select exists (select 1 from registry_records)")).scalar():
            return SampleRegistryResult(skipped=True)
    points = read_source_frames(engine)["households"]
    households = pd.DataFrame({
        "address": points["address"].fillna(""), "households": points["households"],
        "residents": points["residents"], "lon": points.geometry.x, "lat": points.geometry.y,
    })  # fmt: skip
    households = households[households["address"].str.len() > 0]
    sample = sample_registry(households, today or china_today(), seed)
    index = load_index(engine)
    with engine.begin() as conn:
        for start in range(0, len(sample.addresses), CHUNK):
            store_addresses(conn, index, sample.addresses[start : start + CHUNK])
        insert_records(conn, sample.records, cipher=cipher, actor=ACTOR)
    return SampleRegistryResult(len(sample.addresses), Counter(r.kind for r in sample.records))
