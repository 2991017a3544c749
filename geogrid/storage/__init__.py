"""Storage: the PostGIS store of record, its schema, migrations and the embedded cluster."""
