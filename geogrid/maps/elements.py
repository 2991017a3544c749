"""Folium elements of geogrid's web maps, drawing from compact data via geogrid-map.js.

Each element names its scripts and styles the way folium does (`default_js`/`default_css`),
by names that `assets.localize` turns into local URLs; none of them carries a CDN address.
"""

from __future__ import annotations

from typing import ClassVar

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import HeatMap, MarkerCluster
from folium.template import Template

from geogrid.maps.encode import script_json
from geogrid.maps.styles import OUTLINE_STYLE, STREET_STYLE

GEOGRID_JS = [("geogrid_js", "geogrid/geogrid-map.js")]
GEOGRID_CSS = [("geogrid_css", "geogrid/geogrid-map.css")]


class PageData(JSCSSMixin):
    """A JavaScript variable holding data that several layers share (shapes, people)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.json }};
        {% endmacro %}
        """
    )
    default_js = GEOGRID_JS
    default_css = GEOGRID_CSS

    def __init__(self, value: object, kind: str = "page_data") -> None:
        super().__init__()
        self._name = kind
        self.json = script_json(value)


class GridLayer(JSCSSMixin, Layer):
    """One grid level as a toggled layer: outlines, hover names, popups, labels in view."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = geogrid.gridLayer(
                {{ this._parent.get_name() }}, {{ this.data.get_name() }},
                {{ this.people.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )
    default_js = GEOGRID_JS

    def __init__(self, data: PageData, people: PageData, name: str, options: dict, show: bool):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GridLayer"
        self.data, self.people = data, people
        self.options_json = script_json(options)


class BaseMap(JSCSSMixin, Layer):
    """The drawn base map: community outlines and named streets, for a network with no tiles."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup([
                geogrid.outlineLayer({{ this.outlines.get_name() }}, {{ this.outline_style }}),
                geogrid.lineLayer({{ this.streets.get_name() }}, {{ this.street_style }})
            ]);
        {% endmacro %}
        """
    )
    default_js = GEOGRID_JS

    def __init__(self, outlines: PageData, streets: PageData, name: str, overlay: bool) -> None:
        super().__init__(name=name, overlay=overlay, control=True, show=True)
        self._name = "BaseMap"
        self.outlines, self.streets = outlines, streets
        self.outline_style = script_json({"style": OUTLINE_STYLE})
        self.street_style = script_json({"style": STREET_STYLE})


class ChoroplethLayer(JSCSSMixin, Layer):
    """Report counts per level-2 grid for a month, on the level-2 shapes already in the page."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = geogrid.choropleth(
                {{ this.data.get_name() }}, {{ this.counts_json }}, {{ this.options_json }});
            geogrid.legendFor({{ this._parent.get_name() }}, {{ this.get_name() }},
                {{ this.legend_json }});
        {% endmacro %}
        """
    )
    default_js = GEOGRID_JS

    def __init__(
        self, data: PageData, counts: list[int], name: str, options: dict, legend_html: str
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "Choropleth"
        self.data = data
        self.counts_json = script_json(counts)
        self.options_json = script_json(options)
        self.legend_json = script_json(legend_html)


class CellHeatMap(HeatMap):
    """folium's HeatMap fed with counts per cell, written as integers (geogrid.heatCells)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = geogrid.heatLayer(
                {{ this.cells_json }}, {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    default_js: ClassVar[list[tuple[str, str]]] = [*HeatMap.default_js, *GEOGRID_JS]

    def __init__(self, cells: dict, name: str, show: bool, **options) -> None:
        super().__init__([], name=name, show=show, **options)
        self.cells_json = script_json(cells)


class ReportCluster(MarkerCluster):
    """folium's MarkerCluster filled in one call with the newest reports' circle markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = geogrid.reportMarkers(
                L.markerClusterGroup({{ this.options|tojavascript }}), {{ this.data_json }});
        {% endmacro %}
        """
    )
    default_js: ClassVar[list[tuple[str, str]]] = [*MarkerCluster.default_js, *GEOGRID_JS]

    def __init__(self, data: dict, name: str, show: bool = True) -> None:
        super().__init__(name=name, show=show, options={"chunkedLoading": True})
        self.data_json = script_json(data)


class MapNote(JSCSSMixin):
    """A box on the map (title, filters, how many reports are shown of how many)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            geogrid.note({{ this._parent.get_name() }}, {{ this.html_json }},
                {{ this.position_json }}, {{ this.class_json }});
        {% endmacro %}
        """
    )
    default_js = GEOGRID_JS

    def __init__(self, html: str, position: str = "topleft", css_class: str = "") -> None:
        super().__init__()
        self._name = "MapNote"
        self.html_json = script_json(html)
        self.position_json = script_json(position)
        self.class_json = script_json(css_class)
