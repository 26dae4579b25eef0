/* The content editor's map: a click sets the latitude and longitude fields; the marker (and a closure's
 * circle) follow the fields. Without internet the tiles fail and the local road network is drawn instead.
 * The fields stay the source of truth: the form works without this script. */
(function () {
  "use strict";
  var box = document.getElementById("content-map");
  if (!box || !window.L) {
    return;
  }
  var lat = document.getElementById("f-lat");
  var lon = document.getElementById("f-lon");
  var radius = document.getElementById("f-radius_m");
  var CREMONA = [45.1334, 10.0246];
  var map = L.map(box, {scrollWheelZoom: false}).setView(CREMONA, 14);
  var marker = null;
  var circle = null;
  var roadsDrawn = false;

  function roads() {
    if (roadsDrawn) {
      return;
    }
    roadsDrawn = true;
    fetch("/api/roads.geojson").then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, {interactive: false,
        style: {color: "#9a9a9a", weight: 1.5, opacity: 0.9, className: "content-roads"}}).addTo(map);
    });
  }

  if (box.dataset.tiles) {
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors"
    }).on("tileerror", roads).addTo(map);
  } else {
    roads();
  }

  function number(input) {
    var value = input ? parseFloat(input.value.replace(",", ".")) : NaN;
    return isFinite(value) ? value : null;
  }

  function show(recentre) {
    var y = number(lat);
    var x = number(lon);
    if (y === null || x === null) {
      return;
    }
    if (!marker) {
      marker = L.circleMarker([y, x], {radius: 7, color: "#2d4a2b", weight: 2, fillOpacity: 0.8,
        className: "content-marker"}).addTo(map);
    }
    marker.setLatLng([y, x]);
    var r = number(radius);
    if (radius && r !== null && r > 0) {
      circle = circle || L.circle([y, x], {radius: r, color: "#c0392b", weight: 2, fillOpacity: 0.15}).addTo(map);
      circle.setLatLng([y, x]).setRadius(r);
    }
    if (recentre) {
      map.setView([y, x], 16);
    }
  }

  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    show(false);
  });
  [lat, lon, radius].forEach(function (input) {
    if (input) {
      input.addEventListener("change", function () { show(true); });
    }
  });
  show(true);
}());
