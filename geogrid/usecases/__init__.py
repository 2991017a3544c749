"""Use cases: plain functions that call the domain (building, inputs) and storage."""
