/* The planner's interactivity: plain JavaScript on the Leaflet map folium rendered.
 *
 * The form is the plan: map clicks, marker drags, the stop list and the POI popups write the stops
 * into its from / via / to fields, and every change plans again through the JSON API
 * (/api/route for a route, /api/itinerary for a tour or a loop). The page's address is kept equal
 * to the form's query string, so it can be shared; "Save" stores the plan under a short id.
 * Data from the server is put in the page with textContent only (never as HTML).
 */
(function () {
  "use strict";

  var configNode = document.getElementById("planner-config");
  if (!configNode || typeof L === "undefined") {
    return;
  }
  var cfg = JSON.parse(configNode.textContent);
  var T = JSON.parse(document.getElementById("planner-messages").textContent);
  var map = window[cfg.map];
  var form = document.getElementById("plan-form");
  var fields = {from: form.elements.from, via: form.elements.via, to: form.elements.to};
  var statusNode = document.getElementById("status");
  var problemNode = document.getElementById("problem");
  var MULTI = {via: true, category: true};
  var PLAN_KEYS = ["kind", "from", "via", "to", "profile", "wet", "speed", "optimise", "return", "depart",
    "lunch", "days", "km_per_day", "hours_per_day", "km", "category", "min_pois", "seed"];

  var routeLayer = L.layerGroup().addTo(map);
  var stopLayer = L.layerGroup().addTo(map);
  var eventLayer = L.layerGroup().addTo(map);
  var eventsNumber = 0;
  var poiLayers = {};
  var poiCache = {};
  var stops = [];          // [{query: "45.1,10.0" | "poi:id" | "Via Palestro", name: "..."}]
  var lastResult = null;   // {kind, props, doc, title}
  var requestNumber = 0;
  var changedByUser = false;
  var fitted = false;

  // ---- small DOM helpers (text only) ------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") {
        node.textContent = attrs[key];
      } else if (key === "className") {
        node.className = attrs[key];
      } else {
        node.setAttribute(key, attrs[key]);
      }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function km(metres) {
    return (metres / 1000).toFixed(1) + " " + T.km;
  }

  function duration(seconds) {
    var minutes = Math.max(Math.round(seconds / 60), 1);
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    return hours ? hours + " h " + String(minutes).padStart(2, "0") + " " + T.min : minutes + " " + T.min;
  }

  function clock(iso) {
    return iso ? iso.slice(11, 16) : "–";
  }

  // A stop's time on a trip of several days: "Day 2, 16:13" (days counted from the first stop's date).
  function dayClock(iso, firstIso) {
    if (!iso || !firstIso) {
      return clock(iso);
    }
    var day = function (text) {
      return Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)));
    };
    return T.day + " " + (Math.round((day(iso) - day(firstIso)) / 86400000) + 1) + ", " + clock(iso);
  }

  function pct(share) {
    return Math.round(share * 100) + " %";
  }

  function label(value, kind) {
    var known = kind && T.values[kind] ? T.values[kind][value] : null;
    return known || String(value || "").replace(/_/g, " ") || T.none;
  }

  function busy(on) {
    document.getElementById("planner").setAttribute("aria-busy", on ? "true" : "false");
  }

  function setStatus(text) {
    statusNode.textContent = text || "";
  }

  function showProblem(message, parameter) {
    problemNode.hidden = !message;
    problemNode.querySelector(".error-message").textContent = message || "";
    Object.keys(fields).forEach(function (name) {
      fields[name].removeAttribute("aria-invalid");
    });
    if (parameter && fields[parameter]) {
      fields[parameter].setAttribute("aria-invalid", "true");
    }
  }

  // ---- the plan: form <-> stops <-> query string ------------------------------------------

  function kind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "route";
  }

  function stopsFromForm() {
    var vias = fields.via.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    var texts = [fields.from.value.trim()].concat(vias, [fields.to.value.trim()]).filter(Boolean);
    var previous = {};
    stops.forEach(function (stop) { previous[stop.query] = stop.name; });
    stops = texts.map(function (query) {
      return {query: query, name: previous[query] || query};
    });
  }

  function formFromStops() {
    var k = kind();
    var ends = k === "route" || (k === "tour" && !form.elements["return"].checked);
    fields.from.value = stops.length ? stops[0].query : "";
    if (ends && stops.length > 1) {
      fields.to.value = stops[stops.length - 1].query;
      fields.via.value = stops.slice(1, -1).map(function (s) { return s.query; }).join("\n");
    } else {
      fields.to.value = "";
      fields.via.value = stops.slice(1).map(function (s) { return s.query; }).join("\n");
    }
  }

  function planParams() {
    var data = new FormData(form);
    var params = new URLSearchParams();
    PLAN_KEYS.forEach(function (key) {
      data.getAll(key).forEach(function (value) {
        String(value).split("\n").forEach(function (line) {
          line = line.trim();
          if (line && !(key === "kind" && line === "route") && !(key === "profile" && line === "touring")) {
            params.append(key, line);
          }
        });
      });
    });
    return params;
  }

  function planObject(params) {
    var body = {};
    params.forEach(function (value, key) {
      if (MULTI[key]) {
        (body[key] = body[key] || []).push(value);
      } else {
        body[key] = value;
      }
    });
    return body;
  }

  function ready() {
    var k = kind();
    if (k === "loop") {
      return stops.length >= 1 && form.elements.km.value;
    }
    return stops.length >= 2;
  }

  // ---- planning ---------------------------------------------------------------------------

  function plan() {
    formFromStops();
    var params = planParams();
    if (changedByUser) {
      var search = params.toString();
      history.replaceState(null, "", "/" + (search ? "?" + search : ""));
    }
    renderStops();
    updateLinks(params);
    if (!ready()) {
      routeLayer.clearLayers();
      clearEvents(true);
      drawMarkers();
      hint();
      return;
    }
    var number = ++requestNumber;
    var k = kind();
    var url = (k === "route" ? "/api/route?" : "/api/itinerary?") + params.toString() + "&lang=" + cfg.lang;
    setStatus(T.planning);
    busy(true);
    fetch(url, {headers: {Accept: "application/json"}}).then(function (response) {
      return response.json().then(function (body) {
        return {ok: response.ok, body: body};
      });
    }).then(function (answer) {
      if (number !== requestNumber) {
        return;
      }
      setStatus("");
      busy(false);
      if (!answer.ok) {
        showProblem(answer.body.error || T.error, answer.body.parameter);
        clearEvents(true);
        return;
      }
      showProblem("");
      if (k === "route") {
        show({kind: k, props: answer.body.properties, geometry: answer.body.geometry, doc: null,
          title: answer.body.properties.name});
      } else {
        show({kind: k, props: answer.body.explain, geometry: answer.body.itinerary.geometry,
          doc: answer.body.itinerary, days: answer.body.days, title: answer.body.title});
      }
    }).catch(function (error) {
      if (number === requestNumber) {
        setStatus("");
        busy(false);
        showProblem(T.error + ": " + error);
      }
    });
  }

  function changed() {
    changedByUser = true;
    plan();
  }

  function show(result) {
    lastResult = result;
    var names = result.kind === "route"
      ? result.props.stops.map(function (s) { return s.name; })
      : requestStops(result.doc).map(function (s) { return s.name; });
    names.forEach(function (name, i) {
      if (stops[i] && name) {
        stops[i].name = name;
      }
    });
    drawRoute(result);
    drawMarkers();
    renderStops();
    renderSummary(result);
    document.getElementById("summary").hidden = false;
    document.getElementById("downloads").hidden = false;
    document.getElementById("share").hidden = false;
    updateLinks(planParams());
    hint();
    loadEvents();
  }

  function requestStops(doc) {
    var req = doc.request;
    return [req.start].concat(req.visits || [], req.end ? [req.end] : []);
  }

  // ---- map layers -------------------------------------------------------------------------

  function drawRoute(result) {
    routeLayer.clearLayers();
    var line = result.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
    var days = result.days ? result.days.features.filter(function (f) { return f.properties.kind === "day"; }) : [];
    if (days.length > 1) {
      var colours = ["#c0392b", "#1f5fa8", "#2d7a2d", "#8e44ad", "#b9770e"];
      days.forEach(function (day, i) {
        L.polyline(day.geometry.coordinates.map(function (c) { return [c[1], c[0]]; }), {
          color: colours[i % colours.length], weight: 6, opacity: 0.85, className: "route-line day-line"
        }).bindTooltip(T.day + " " + day.properties.day + ": " + day.properties.length_km.toFixed(1) + " " + T.km)
          .addTo(routeLayer);
      });
    } else {
      L.polyline(line, {color: "#c0392b", weight: 6, opacity: 0.85, className: "route-line"})
        .bindTooltip((result.props.length_m / 1000).toFixed(1) + " " + T.km).addTo(routeLayer);
    }
    if (!fitted && line.length) {
      map.fitBounds(L.latLngBounds(line), {padding: [24, 24]});
      fitted = true;
    }
  }

  function role(i) {
    var ends = kind() !== "loop" && !(kind() === "tour" && form.elements["return"].checked);
    if (i === 0) {
      return {text: T.start, color: "green", icon: "play"};
    }
    if (ends && i === stops.length - 1) {
      return {text: T.end, color: "red", icon: "flag-checkered"};
    }
    return {text: T.via + " " + i, color: "blue", icon: "location-dot"};
  }

  function stopLatLng(stop, i) {
    var m = /^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(stop.query);
    if (m) {
      return L.latLng(parseFloat(m[1]), parseFloat(m[2]));
    }
    if (!lastResult) {
      return null;
    }
    var known = lastResult.kind === "route" ? lastResult.props.stops : requestStops(lastResult.doc);
    var match = known[i];
    return match ? L.latLng(match.lat, match.lon) : null;
  }

  function drawMarkers() {
    stopLayer.clearLayers();
    stops.forEach(function (stop, i) {
      var at = stopLatLng(stop, i);
      if (!at) {
        return;
      }
      var r = role(i);
      var icon = L.AwesomeMarkers && L.AwesomeMarkers.icon
        ? L.AwesomeMarkers.icon({icon: r.icon, prefix: "fa", markerColor: r.color, extraClasses: "stop-icon"})
        : new L.Icon.Default();
      var marker = L.marker(at, {draggable: true, icon: icon, keyboard: true, title: r.text + ": " + stop.name,
        alt: r.text + ": " + stop.name});
      marker.bindTooltip(r.text + ": " + stop.name);
      var remove = el("button", {type: "button", className: "link-button", text: T.remove});
      remove.addEventListener("click", function () {
        removeStop(i);
      });
      marker.bindPopup(el("div", {}, [el("strong", {text: r.text}), el("br"), stop.name, el("br"), remove]));
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        stops[i] = {query: p.lat.toFixed(6) + "," + p.lng.toFixed(6), name: p.lat.toFixed(5) + ", " + p.lng.toFixed(5)};
        changed();
      });
      marker.on("contextmenu", function () {
        removeStop(i);
      });
      marker.addTo(stopLayer);
      var node = marker.getElement && marker.getElement();
      if (node) {
        node.classList.add("stop-marker");
        node.setAttribute("data-stop", String(i));
      }
    });
  }

  // ---- stops ------------------------------------------------------------------------------

  function addPoint(latlng) {
    var stop = {query: latlng.lat.toFixed(6) + "," + latlng.lng.toFixed(6),
      name: latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5)};
    addStop(stop);
  }

  function addStop(stop) {
    if (kind() === "loop") {
      stops = [stop];
    } else {
      // After start and end, a new point becomes the end and the old end the last via point.
      stops.push(stop);
    }
    changed();
  }

  function addPoi(feature) {
    var stop = {query: "poi:" + feature.properties.id, name: feature.properties.name || feature.properties.label};
    var k = kind();
    var ends = k === "route" || (k === "tour" && !form.elements["return"].checked);
    if (ends && stops.length >= 2) {
      stops.splice(stops.length - 1, 0, stop);  // a visit before the end
    } else if (k === "loop") {
      stops = [stop];
    } else {
      stops.push(stop);
    }
    setStatus(T.added + ": " + stop.name);
    changed();
  }

  function removeStop(i) {
    stops.splice(i, 1);
    map.closePopup();
    if (stops.length < 2) {
      routeLayer.clearLayers();
    }
    changed();
  }

  function moveStop(i, delta) {
    var j = i + delta;
    if (j < 0 || j >= stops.length) {
      return;
    }
    var moved = stops.splice(i, 1)[0];
    stops.splice(j, 0, moved);
    changed();
    var again = document.querySelector("#stops-list [data-index='" + j + "'] ." + (delta < 0 ? "up" : "down"));
    if (again) {
      again.focus();
    }
  }

  function renderStops() {
    var list = document.getElementById("stops-list");
    list.textContent = "";
    list.hidden = !stops.length;
    stops.forEach(function (stop, i) {
      var r = role(i);
      var buttons = [
        ["up", "↑", T.move_up, function () { moveStop(i, -1); }],
        ["down", "↓", T.move_down, function () { moveStop(i, 1); }],
        ["remove", "✕", T.remove, function () { removeStop(i); }]
      ].map(function (b) {
        var button = el("button", {type: "button", className: "icon-button " + b[0], text: b[1],
          "aria-label": b[2] + ": " + stop.name, title: b[2]});
        button.addEventListener("click", b[3]);
        return button;
      });
      list.appendChild(el("li", {"data-index": String(i)}, [
        el("span", {className: "stop-role role-" + r.color, text: r.text}),
        el("span", {className: "stop-name", text: stop.name})
      ].concat(buttons)));
    });
  }

  function hint() {
    var node = document.getElementById("map-hint");
    node.textContent = !stops.length ? T.click_start : stops.length === 1 && kind() !== "loop" ? T.click_end
      : T.click_more;
  }

  // ---- the "why this way" panel -----------------------------------------------------------

  function renderSummary(result) {
    var props = result.props;
    document.getElementById("summary-title").textContent = result.title || "";
    var why = document.getElementById("why");
    why.textContent = "";
    var figures = [
      [T.distance, km(props.length_m), "distance"],
      [T.time, duration(props.duration_s), "duration"]
    ];
    if (result.doc) {
      figures.push([T.total_time, duration(result.doc.summary.total_time_s), "total-time"]);
    }
    figures.push([T.profile, (cfg.profiles[String(props.profile).split("+")[0]] || props.profile)
      + (String(props.profile).indexOf("+wet") > 0 ? " +wet" : ""), "profile-used"]);
    figures.push([T.signed, pct(props.signed_share || 0), "signed-share"]);
    why.appendChild(el("dl", {className: "figures"}, figures.map(function (f) {
      return el("div", {}, [el("dt", {text: f[0]}), el("dd", {id: f[2], text: f[1]})]);
    })));
    why.appendChild(chart(props, result));
    [[T.surface, props.surface_shares, "surface"], [T.way_type, props.highway_shares, "highway"],
      [T.infrastructure, props.infrastructure_shares, "infrastructure"]].forEach(function (s) {
      why.appendChild(el("h3", {text: s[0]}));
      why.appendChild(sharesTable(s[1] || {}, s[2]));
    });
    why.appendChild(el("h3", {text: T.named_routes}));
    var routes = props.cycle_routes || [];
    why.appendChild(routes.length ? el("ul", {className: "cycle-routes"}, routes.map(function (u) {
      return el("li", {}, [el("strong", {text: u.name || u.ref || String(u.relation_id)}),
        ": " + km(u.length_m) + ", " + pct(u.share)]);
    })) : el("p", {className: "none", text: T.none}));
    why.appendChild(segmentsTable(props.segments || []));
    renderItinerary(result);
  }

  function sharesTable(shares, kindName) {
    var rows = Object.keys(shares).map(function (key) {
      var bar = el("span", {className: "bar"});
      bar.style.width = (shares[key] * 100).toFixed(1) + "%";
      return el("tr", {}, [el("th", {scope: "row", text: label(key, kindName)}), el("td", {className: "bar-cell"}, [bar]),
        el("td", {className: "share", text: pct(shares[key])})]);
    });
    if (!rows.length) {
      rows = [el("tr", {}, [el("td", {className: "none", text: T.none})])];
    }
    return el("table", {className: "shares " + kindName}, rows);
  }

  function segmentsTable(segments) {
    var head = el("tr", {}, [T.km, T.name, T.way_type, T.surface, T.infrastructure, T.named_routes].map(
      function (h) { return el("th", {scope: "col", text: h}); }));
    var rows = segments.map(function (s) {
      return el("tr", {}, [s.start_km.toFixed(1), s.name || T.unnamed, label(s.highway, "highway"),
        label(s.surface, "surface"), label(s.infrastructure, "infrastructure"),
        (s.cycle_routes || []).join(", ") || "–"].map(function (v) {
        return el("td", {text: v});
      }));
    });
    return el("details", {className: "segments"}, [el("summary", {text: T.segments + " (" + segments.length + ")"}),
      el("div", {className: "table-scroll"}, [el("table", {className: "segments-table"},
        [el("thead", {}, [head]), el("tbody", {}, rows)])])]);
  }

  var PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
    "#ff9da7", "#7f7f7f"];

  function chart(props, result) {
    var total = props.length_m || 1;
    var width = 320;
    var bands = [[T.way_type, "highway"], [T.surface, "surface"], [T.signed, "routes"]];
    var bandHeight = 14;
    var top = 4;
    var height = top + bands.length * (bandHeight + 14) + 18;
    var root = svg("svg", {viewBox: "0 0 " + width + " " + height, role: "img", "aria-labelledby": "chart-title",
      "class": "profile-chart", preserveAspectRatio: "none"});
    var title = svg("title", {id: "chart-title"});
    title.textContent = T.chart_title;
    root.appendChild(title);
    var legends = [];
    bands.forEach(function (band, b) {
      var colours = {};
      var order = [];
      var colour = function (value) {
        if (!(value in colours)) {
          colours[value] = value === "–" ? "#dddddd" : PALETTE[order.length % PALETTE.length];
          order.push(value);
        }
        return colours[value];
      };
      var y = top + b * (bandHeight + 14);
      var name = svg("text", {x: 0, y: y + 9, "class": "band-label"});
      name.textContent = band[0];
      root.appendChild(name);
      (props.segments || []).forEach(function (s) {
        var value = band[1] === "routes" ? ((s.cycle_routes || []).join(", ") || "–") : label(s[band[1]], band[1]);
        var x = (s.start_km * 1000 / total) * width;
        var w = Math.max((s.length_m / total) * width, 0.5);
        var rect = svg("rect", {x: x.toFixed(2), y: y + 11, width: w.toFixed(2), height: bandHeight,
          fill: colour(value)});
        var tip = svg("title");
        tip.textContent = band[0] + ": " + value + " (km " + s.start_km.toFixed(1) + ", " + Math.round(s.length_m)
          + " m)";
        rect.appendChild(tip);
        root.appendChild(rect);
      });
      legends.push(el("li", {}, [el("strong", {text: band[0] + ": "})].concat(order.map(function (value) {
        var swatch = el("span", {className: "swatch", "aria-hidden": "true"});
        swatch.style.background = colours[value];
        return el("span", {className: "legend-item"}, [swatch, " " + value]);
      }))));
    });
    var axisY = top + bands.length * (bandHeight + 14) + 2;
    var totalKm = total / 1000;
    var step = [0.5, 1, 2, 5, 10, 20, 50, 100].filter(function (s) { return totalKm / s <= 8; })[0] || 100;
    for (var k = 0; k <= totalKm + 1e-9; k += step) {
      var x = (k / totalKm) * width;
      root.appendChild(svg("line", {x1: x, x2: x, y1: axisY - 3, y2: axisY + 2, stroke: "#555"}));
      var tick = svg("text", {x: Math.min(x, width - 14), y: axisY + 12, "class": "tick"});
      tick.textContent = (k % 1 ? k.toFixed(1) : String(k)) + (k === 0 ? " " + T.km : "");
      root.appendChild(tick);
    }
    if (result.doc) {
      result.doc.stops.forEach(function (stop) {
        var x = (stop.km / totalKm) * width;
        var mark = svg("line", {x1: x, x2: x, y1: top + 8, y2: axisY, stroke: "#222", "stroke-dasharray": "2 2"});
        var tip = svg("title");
        tip.textContent = stop.name + " (km " + stop.km.toFixed(1) + ")";
        mark.appendChild(tip);
        root.appendChild(mark);
      });
    }
    return el("figure", {className: "chart"}, [root, el("figcaption", {text: T.chart_title}),
      el("ul", {className: "chart-legend"}, legends)]);
  }

  function renderItinerary(result) {
    var box = document.getElementById("itinerary");
    box.textContent = "";
    var daySelect = document.getElementById("gpx-day");
    while (daySelect.options.length > 1) {
      daySelect.remove(1);
    }
    document.getElementById("day-choice").hidden = true;
    var doc = result.doc;
    if (!doc || result.kind === "route") {
      return;
    }
    box.appendChild(el("h3", {text: T.stops}));
    var head = el("tr", {}, ["#", T.name, T.km, T.arrive, T.stay, T.hours].map(function (h) {
      return el("th", {scope: "col", text: h});
    }));
    var firstArrive = doc.stages.length > 1 && doc.stops.length ? doc.stops[0].arrive : null;
    var rows = doc.stops.map(function (s, i) {
      var note = s.warning || (s.opening !== "unknown" ? s.opening : "") || s.opening_hours_text || "";
      return el("tr", {className: s.warning ? "warning" : ""}, [String(i), s.name, s.km.toFixed(1),
        dayClock(s.arrive, firstArrive),
        s.dwell_min ? Math.round(s.dwell_min) + " " + T.min : "–", note].map(function (v) {
        return el("td", {text: v});
      }));
    });
    box.appendChild(el("div", {className: "table-scroll"}, [el("table", {className: "stops-table"},
      [el("thead", {}, [head]), el("tbody", {}, rows)])]));
    if (doc.stages.length > 1) {
      box.appendChild(el("h3", {text: T.days}));
      var dayRows = doc.stages.map(function (s) {
        var station = s.bailout_station ? s.bailout_station + " (" + km(s.bailout_distance_m) + ")" : "–";
        return el("tr", {}, [String(s.day), s.start_km.toFixed(1) + "–" + s.end_km.toFixed(1),
          s.length_km.toFixed(1) + " " + T.km, s.end_name, station].map(function (v) {
          return el("td", {text: v});
        }));
      });
      var dayHead = el("tr", {}, [T.day, T.km, T.distance, T.ends_at, T.bailout].map(function (h) {
        return el("th", {scope: "col", text: h});
      }));
      box.appendChild(el("div", {className: "table-scroll"}, [el("table", {className: "days-table"},
        [el("thead", {}, [dayHead]), el("tbody", {}, dayRows)])]));
      doc.stages.forEach(function (s) {
        daySelect.appendChild(el("option", {value: String(s.day), text: T.day + " " + s.day}));
      });
      document.getElementById("day-choice").hidden = false;
    }
    [[T.warnings, doc.warnings], [T.notes, doc.notes]].forEach(function (group) {
      if (group[1] && group[1].length) {
        box.appendChild(el("h3", {text: group[0]}));
        box.appendChild(el("ul", {className: "notes"}, group[1].map(function (n) { return el("li", {text: n}); })));
      }
    });
  }

  // ---- what's on along the trip -----------------------------------------------------------

  function eventsDay() {
    var chosen = document.getElementById("events-date").value;
    var depart = form.elements.depart ? form.elements.depart.value : "";
    return chosen || (kind() !== "route" && depart ? depart.slice(0, 10) : "");
  }

  function clearEvents(hide) {
    eventLayer.clearLayers();
    document.getElementById("events-list").textContent = "";
    document.getElementById("events-recurring").textContent = "";
    document.getElementById("events-recurring-title").hidden = true;
    if (hide) {
      eventsNumber++;  // an answer still on its way is not shown
      document.getElementById("events").hidden = true;
    }
  }

  function day(iso) {
    var date = new Date(iso + "T12:00:00");
    return date.toLocaleDateString(cfg.lang === "it" ? "it-IT" : "en-GB", {day: "numeric", month: "short",
      year: "numeric"});
  }

  function when(e) {
    var first = e.start || e.end;
    var last = e.end || e.start;
    return first === last ? day(first) : day(first) + " – " + day(last);
  }

  function distanceText(metres) {
    return (metres < 1000 ? Math.round(metres / 10) * 10 + " m" : km(metres)) + " " + T.events_from_route;
  }

  function safeLink(address) {
    var site = address && !/^https?:\/\//i.test(address) ? "https://" + address : address;
    return site && /^https?:\/\/[^\s"'<>]+$/i.test(site) ? site : null;
  }

  function eventItem(e, dated) {
    var link = safeLink(e.website) || safeLink(e.source_url);
    var name = link ? el("a", {href: link, rel: "noopener noreferrer", target: "_blank", text: e.name})
      : el("strong", {text: e.name});
    var place = [e.venue, e.comune].filter(Boolean).join(", ");
    var facts = dated ? [when(e), place, distanceText(e.distance_m)] : [e.usual_period, place];
    var source = [e.source, e.licence].filter(Boolean).join(" · ");
    return el("li", {className: "event", "data-event": e.id}, [name, el("br"),
      el("span", {className: "event-facts", text: facts.filter(Boolean).join(" · ")}),
      el("br"), el("small", {className: "event-source", text: source})]);
  }

  function renderEvents(answer) {
    var list = document.getElementById("events-list");
    var recurring = document.getElementById("events-recurring");
    answer.events.forEach(function (e) {
      list.appendChild(eventItem(e, true));
      if (e.lat !== null && e.lon !== null) {
        var marker = L.circleMarker([e.lat, e.lon], {radius: 9, weight: 2, color: "#fff", fillColor: "#8e44ad",
          fillOpacity: 0.95, className: "event-marker"})
          .bindTooltip(e.name + " (" + when(e) + ")")
          .bindPopup(function () { return el("div", {className: "event-popup"}, [eventItem(e, true)]); });
        marker.on("add", function () {
          marker.getElement().setAttribute("data-event", e.id);
        });
        marker.addTo(eventLayer);
      }
    });
    answer.recurring.forEach(function (e) {
      recurring.appendChild(eventItem(e, false));
    });
    document.getElementById("events-recurring-title").hidden = !answer.recurring.length;
    var span = answer.start === answer.end ? day(answer.start) : day(answer.start) + " – " + day(answer.end);
    document.getElementById("events-status").textContent = (answer.events.length ? T.events_on : T.events_none)
      + " " + span;
  }

  function loadEvents() {
    var statusLine = document.getElementById("events-status");
    clearEvents(false);
    document.getElementById("events").hidden = false;
    var first = eventsDay();
    if (!first) {
      statusLine.textContent = T.events_pick_date;
      return;
    }
    var number = ++eventsNumber;
    var params = planParams();
    params.set("start", first);
    params.set("within", document.getElementById("events-within").value);
    statusLine.textContent = T.events_loading;
    fetch("/api/itinerary/events?" + params.toString() + "&lang=" + cfg.lang, {headers: {Accept: "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        if (number !== eventsNumber) {
          return;
        }
        if (!answer.ok) {
          statusLine.textContent = answer.body.error || T.error;
          return;
        }
        renderEvents(answer.body);
      }).catch(function (error) {
        if (number === eventsNumber) {
          statusLine.textContent = T.error + ": " + error;
        }
      });
  }

  // ---- downloads, print, share ------------------------------------------------------------

  function gpxParts() {
    var parts = [];
    document.querySelectorAll("#gpx-parts input:checked").forEach(function (box) {
      parts.push(box.value);
    });
    return parts.length ? parts.join(",") : "trk";
  }

  function updateLinks(params) {
    var k = kind();
    var query = params.toString();
    var day = document.getElementById("gpx-day").value;
    var gpx = document.getElementById("gpx-link");
    var geojson = document.getElementById("geojson-link");
    var print = document.getElementById("print-link");
    var withLang = query + "&lang=" + cfg.lang;
    if (k === "route") {
      gpx.href = "/api/route.gpx?" + withLang + "&parts=" + gpxParts();
      geojson.href = "/api/route?" + withLang;
    } else {
      gpx.href = "/api/itinerary.gpx?" + withLang + "&parts=" + gpxParts() + (day ? "&day=" + day : "");
      geojson.href = "/api/itinerary.geojson?" + withLang;
    }
    print.href = "/api/itinerary.pdf?" + withLang;
    print.hidden = !ready();
  }

  function save() {
    var button = document.getElementById("save-button");
    button.disabled = true;
    fetch("/api/plans", {method: "POST", headers: {"Content-Type": "application/json", Accept: "application/json"},
      body: JSON.stringify(planObject(planParams()))}).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) {
        showProblem(answer.body.error || T.error, answer.body.parameter);
        return;
      }
      var link = document.getElementById("saved-link");
      link.href = answer.body.url;
      link.textContent = location.origin + answer.body.url;
      document.getElementById("saved-text").textContent = T.saved;
      document.getElementById("saved").hidden = false;
      link.focus();
    }).catch(function (error) {
      button.disabled = false;
      showProblem(T.error + ": " + error);
    });
  }

  function copyLink() {
    var text = location.href;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { setStatus(T.copied); });
    } else {
      window.prompt("", text);
    }
  }

  // ---- POI layer --------------------------------------------------------------------------

  function poiPopup(feature) {
    var p = feature.properties;
    var rows = [el("h3", {text: p.name || p.label}), el("p", {className: "poi-category", text: p.label})];
    function row(name, value, href) {
      if (!value) {
        return;
      }
      var content = href ? el("a", {href: href, rel: "noopener noreferrer", target: "_blank", text: value})
        : document.createTextNode(value);
      rows.push(el("p", {}, [el("span", {className: "poi-key", text: name + ": "}), content]));
    }
    var address = [p.address, p.comune].filter(Boolean).join(", ");
    row(T.address, address);
    row(T.hours, p.opening_hours || p.opening_hours_text);
    row(T.phone, p.phone, p.phone ? "tel:" + p.phone.replace(/[^+\d]/g, "") : null);
    row(T.email, p.email, p.email && /^[^@\s]+@[^@\s]+$/.test(p.email) ? "mailto:" + p.email : null);
    var site = p.website && !/^https?:\/\//i.test(p.website) ? "https://" + p.website : p.website;
    row(T.website, p.website, site && /^https?:\/\/[^\s"'<>]+$/i.test(site) ? site : null);
    var source = [p.attribution || p.source, p.licence].filter(Boolean).join(" · ");
    row(T.source, source, p.source_url && /^https?:\/\//i.test(p.source_url) ? p.source_url : null);
    var add = el("button", {type: "button", className: "button add-poi", text: T.add_to_plan});
    add.addEventListener("click", function () {
      addPoi(feature);
      map.closePopup();
    });
    rows.push(add);
    return el("div", {className: "poi-popup"}, rows);
  }

  function showCategory(category, on) {
    if (!on) {
      if (poiLayers[category]) {
        map.removeLayer(poiLayers[category]);
      }
      return;
    }
    if (poiLayers[category]) {
      poiLayers[category].addTo(map);
      return;
    }
    var bbox = cfg.bbox.map(function (v, i) { return (i < 2 ? v - 0.02 : v + 0.02).toFixed(5); }).join(",");
    fetch("/api/pois?bbox=" + bbox + "&category=" + encodeURIComponent(category) + "&lang=" + cfg.lang)
      .then(function (r) { return r.json(); }).then(function (collection) {
        poiCache[category] = collection;
        var group = L.layerGroup();
        collection.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          var marker = L.circleMarker([c[1], c[0]], {radius: 7, weight: 2, color: "#fff", fillOpacity: 0.95,
            className: "poi-marker poi-" + category})
            .bindTooltip(feature.properties.name || feature.properties.label)
            .bindPopup(function () { return poiPopup(feature); });
          marker.on("add", function () {
            marker.getElement().setAttribute("data-poi", feature.properties.id);
          });
          marker.addTo(group);
        });
        poiLayers[category] = group;
        if (document.querySelector("input[name=poi-category][value='" + category + "']").checked) {
          group.addTo(map);
        }
      });
  }

  // ---- base layer without tiles -----------------------------------------------------------

  function offlineRoads() {
    map.createPane("roads");
    map.getPane("roads").style.zIndex = 250;
    var styles = {primary: ["#c9735a", 3.5], secondary: ["#c8a165", 3], tertiary: ["#8c8c8c", 2.5]};
    fetch("/api/roads.geojson").then(function (r) { return r.json(); }).then(function (roads) {
      L.geoJSON(roads, {pane: "roads", interactive: false, style: function (f) {
        var s = styles[f.properties.highway] || ["#a3a3a3", 1.5];
        return {color: s[0], weight: s[1], opacity: 0.9, className: "offline-roads"};
      }}).addTo(map);
      document.querySelector(".map-pane").classList.add("offline");
    });
  }

  function watchTiles() {
    var tiles = [];
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) {
        tiles.push(layer);
      }
    });
    if (!tiles.length) {
      offlineRoads();
      return;
    }
    var loaded = false;
    var fallen = false;
    tiles.forEach(function (layer) {
      layer.on("tileload", function () { loaded = true; });
      layer.on("tileerror", function () {
        if (!loaded && !fallen) {
          fallen = true;
          tiles.forEach(function (t) { map.removeLayer(t); });
          offlineRoads();
          var notice = document.getElementById("map-notice");
          notice.textContent = T.offline_base;
          notice.hidden = false;
        }
      });
    });
  }

  // ---- wiring -----------------------------------------------------------------------------

  if (cfg.routeLayer && window[cfg.routeLayer]) {
    map.removeLayer(window[cfg.routeLayer]);  // the server's drawing; this script draws its own
  }
  watchTiles();
  map.on("click", function (e) {
    addPoint(e.latlng);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    stopsFromForm();
    fitted = false;
    changed();
  });
  form.querySelectorAll("select, input[type=checkbox], input[type=radio]").forEach(function (input) {
    input.addEventListener("change", function () {
      document.querySelectorAll(".kind-options").forEach(function (box) {
        box.hidden = box.getAttribute("data-kinds").split(" ").indexOf(kind()) < 0;
      });
      changed();
    });
  });
  document.querySelectorAll(".kind-options").forEach(function (box) {
    box.hidden = box.getAttribute("data-kinds").split(" ").indexOf(kind()) < 0;
  });
  document.querySelectorAll("#gpx-parts input, #gpx-day").forEach(function (input) {
    input.addEventListener("change", function () { updateLinks(planParams()); });
  });
  document.querySelectorAll("input[name=poi-category]").forEach(function (box) {
    box.addEventListener("change", function () { showCategory(box.value, box.checked); });
    if (box.checked) {
      showCategory(box.value, true);
    }
  });
  document.querySelectorAll("#events-date, #events-within").forEach(function (input) {
    input.addEventListener("change", function () {
      if (lastResult && ready()) {
        loadEvents();
      }
    });
  });
  document.getElementById("save-button").addEventListener("click", save);
  document.getElementById("copy-button").addEventListener("click", copyLink);
  document.querySelectorAll(".lang-link").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var url = new URL(location.href);
      url.searchParams.set("lang", link.getAttribute("data-lang"));
      location.href = url.toString();
    });
  });

  stopsFromForm();
  if (stops.length) {
    document.getElementById("type-places").open = false;  // the stop list shows them; the fields stay one click away
  }
  plan();
  // For the browser tests and the curious: the map, the stops and the last answer of the API.
  window.cremonaPlanner = {map: map, stops: function () { return stops.slice(); },
    result: function () { return lastResult; }};
}());
