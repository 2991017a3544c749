/* Which of my units a point is in, on the phone (no network): even-odd ray casting on
   the cached GeoJSON units. The server's lookup confirms it when there is a network. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.geo = (function () {
  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  // A polygon's rings: the first is the outline, the others holes.
  function inPolygon(lon, lat, rings) {
    if (!rings.length || !inRing(lon, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(lon, lat, rings[k])) return false;
    return true;
  }

  function inGeometry(lon, lat, geometry) {
    if (!geometry) return false;
    if (geometry.type === "Polygon") return inPolygon(lon, lat, geometry.coordinates);
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (rings) { return inPolygon(lon, lat, rings); });
    }
    return false;
  }

  /* The first feature containing the point (units do not overlap), or null. */
  function featureAt(lon, lat, features) {
    for (var i = 0; i < features.length; i++) {
      if (inGeometry(lon, lat, features[i].geometry)) return features[i];
    }
    return null;
  }

  return { inRing: inRing, inGeometry: inGeometry, featureAt: featureAt };
})();
