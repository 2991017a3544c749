"""The sample registry on the tiny county: every household point's addresses, records at
the sample rates, fake ID numbers, and completeness near the 95 % target."""

from __future__ import annotations

from sqlalchemy import text

from geogrid.registry.completeness import completeness
from geogrid.usecases.sample_registry import load_sample_registry
from geogrid.vocabulary import china_today


def test_the_sample_registry_is_stored_and_counts_near_the_target(registry_engine, cipher):
    made = load_sample_registry(registry_engine, cipher)
    assert made.addresses == 4200  # the tiny county's households
    assert made.records["resident"] > 8_000 and made.records["key_person"] >= 10
    assert made.records["organisation"] > 30
    assert load_sample_registry(registry_engine, cipher).skipped  # never twice
    with registry_engine.connect() as conn:
        masks = conn.execute(text("select distinct left(id_number_mask, 4) from registry_records "
                                  "where id_number_mask is not null")).scalars().all()  # fmt: skip
        versions = conn.execute(text("select count(*) from registry_versions")).scalar()
        rows = completeness(conn, china_today().strftime("%Y-%m"), 1)
    assert masks == ["9999"]
    assert versions == sum(made.records.values())
    assert len(rows) == 4  # every community of the tiny county
    for row in rows:
        assert 0.85 < row.collection_rate < 1 and 0.8 < row.on_time_rate <= 1, row
