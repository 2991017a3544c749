"""A deterministic synthetic county (communities, villages, streets, households, people).

`generate_sample_county` writes a GeoPackage shaped like a county GIS office's delivery;
the file is the only interface, see `geogrid.sample.layers` for its layers and fields.
"""

from geogrid.sample.county import SampleSummary, generate_sample_county
from geogrid.sample.scales import SCALES

__all__ = ["SCALES", "SampleSummary", "generate_sample_county"]
