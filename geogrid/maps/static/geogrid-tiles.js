/* geogrid web maps from vector tiles: the grid levels drawn by Leaflet.VectorGrid, what lies
 * under a point, labels from the tiles' features. Loaded after Leaflet, Leaflet.VectorGrid
 * and geogrid-map.js (whose label registry it feeds); used by the console's map. */
(function () {
  "use strict";

  var geogrid = window.geogrid;

  // Grid levels from vector tiles (the console's map: storage/tiles.py, one MVT layer per
  // level, features with code and name), drawn by Leaflet.VectorGrid on a canvas per
  // tile, styled from the same table. `options.styles`: MVT layer name -> a style, or a
  // function of (properties, zoom); a layer missing from `options.hidden`'s keys is drawn.
  // VectorGrid's own interactive mode is left off: its click handler calls
  // L.DomEvent.fakeStop, which Leaflet 1.8 removed (Leaflet.VectorGrid issue 274; the fix is
  // in no release yet), and the overlay canvas above the tiles takes the clicks anyway. The
  // page asks instead which feature lies under a point (tileFeatureAt). These functions read
  // VectorGrid 1.3.0's per-tile renderers (_vectorTiles, _features): the version is pinned
  // in maps/vendor/package-lock.json.
  geogrid.tileLevels = function (url, options) {
    var hidden = options.hidden || {}, styles = {};
    Object.keys(options.styles).forEach(function (name) {
      var style = options.styles[name];
      styles[name] = function (properties, zoom) {
        if (hidden[name]) return [];
        return typeof style === "function" ? style(properties, zoom) : L.extend({fill: true}, style);
      };
    });
    var grid = L.vectorGrid.protobuf(url, {
      rendererFactory: L.canvas.tile, interactive: false, vectorTileLayerStyles: styles,
      getFeatureId: function (feature) { return feature.properties.code; },
      fetchOptions: {credentials: "same-origin"}, zIndex: options.zIndex,
      minZoom: options.minZoom, maxZoom: options.maxZoom
    });
    grid.ggHidden = hidden;
    return grid;
  };

  // A switch for one MVT layer of a tile grid, for the layer control: off hides the layer's
  // features (drawn again from the browser's cache of the tiles).
  geogrid.TileSwitch = L.Layer.extend({
    initialize: function (grid, name) {
      this.ggGrid = grid;
      this.ggLayerName = name;
    },
    onAdd: function () { this._set(false); },
    onRemove: function () { this._set(true); },
    _set: function (hide) {
      var hidden = this.ggGrid.ggHidden;
      if (!!hidden[this.ggLayerName] === hide) return;
      hidden[this.ggLayerName] = hide;
      if (this.ggGrid._map) this.ggGrid.redraw();
    }
  });

  function tilePixelBounds(feature) {
    if (!feature._pxBounds) feature._pxBounds = feature._getPixelBounds();
    return feature._pxBounds;
  }

  // The renderers of the tiles a tile grid shows now (not those kept from another zoom).
  function currentTiles(grid) {
    var zoom = grid._tileZoom;
    if (!grid._map || zoom === undefined || !grid._vectorTiles) return [];
    return Object.keys(grid._vectorTiles).map(function (key) { return grid._vectorTiles[key]; })
      .filter(function (renderer) { return renderer.getCoord().z === zoom; });
  }

  function shownIn(grid, entry, name) {
    return !grid.ggHidden[entry.layerName] && (!name || entry.layerName === name);
  }

  // code -> {code, name, bounds} of the features of an MVT layer (all, without `name`) in a
  // grid's current tiles; a grid cut at tile edges gets its pieces' bounds merged (each piece
  // clipped to its tile).
  geogrid.tileFeatures = function (map, grid, name) {
    var found = {}, size = grid.getTileSize();
    currentTiles(grid).forEach(function (renderer) {
      var coords = renderer.getCoord(), origin = coords.scaleBy(size);
      Object.keys(renderer._features).forEach(function (code) {
        var entry = renderer._features[code];
        if (!shownIn(grid, entry, name)) return;
        var box = tilePixelBounds(entry.feature);
        var min = L.point(Math.max(box.min.x, 0), Math.max(box.min.y, 0));
        var max = L.point(Math.min(box.max.x, size.x), Math.min(box.max.y, size.y));
        var bounds = L.latLngBounds(map.unproject(origin.add(min), coords.z),
          map.unproject(origin.add(max), coords.z));
        if (found[code]) found[code].bounds.extend(bounds);
        else found[code] = {code: code, name: entry.feature.properties.name, bounds: bounds};
      });
    });
    return found;
  };

  // The feature under a point of the first of `names` (MVT layers, finest first) that has
  // one there, {code, name, layer}, or null; the last drawn wins, as on the canvas.
  geogrid.tileFeatureAt = function (map, grid, latlng, names) {
    var zoom = grid._tileZoom, size = grid.getTileSize();
    if (!map.hasLayer(grid) || zoom === undefined || !grid._vectorTiles) return null;
    var point = map.project(latlng, zoom), coords = point.unscaleBy(size).floor();
    coords.z = zoom;
    var renderer = grid._vectorTiles[grid._tileCoordsToKey(coords)];
    if (!renderer) return null;
    var local = point.subtract(coords.scaleBy(size)), hits = {};
    Object.keys(renderer._features).forEach(function (code) {
      var entry = renderer._features[code];
      if (!shownIn(grid, entry)) return;
      tilePixelBounds(entry.feature);
      if (entry.feature._containsPoint(local)) {
        hits[entry.layerName] = {code: code, name: entry.feature.properties.name,
          layer: entry.layerName};
      }
    });
    for (var i = 0; i < names.length; i += 1) if (hits[names[i]]) return hits[names[i]];
    return null;
  };

  // Labels of an MVT layer (its switch decides whether they show), as gridLayer's, again
  // each time the grid's tiles have loaded.
  geogrid.tileLabels = function (map, grid, toggle, level, minZoom) {
    geogrid.viewLabels(map, toggle, level, minZoom, "tiles" + level, function (fn) {
      var found = geogrid.tileFeatures(map, grid, toggle.ggLayerName);
      Object.keys(found).forEach(function (code) {
        var feature = found[code];
        fn({ggRow: [code, feature.name], getBounds: function () { return feature.bounds; }});
      });
    });
    grid.on("load", function () { geogrid.refreshLabels(map); });
  };
})();
