"""Web maps for county and station: grids, people on duty and reports, with no internet.

Import `geogrid.maps.web` for the page builders (it imports folium); `geogrid.maps.assets`
lists the local scripts and styles a page loads and copies them next to a saved page.
"""
