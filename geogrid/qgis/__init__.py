"""A QGIS project of the grids, streets, stations and reports (`geogrid qgis`)."""
