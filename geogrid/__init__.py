"""geogrid: spatial grid management for county policing (网格化管理)."""

__version__ = "0.1.0"
