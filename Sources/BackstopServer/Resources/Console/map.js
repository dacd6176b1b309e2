// The operations map and the public map: incidents drawn from the API's own JSON, on a base
// map and the agreements' lines and zones that Backstop serves itself (no tiles, no CDN).
// Also the helpers the incident page's map uses (window.BackstopMap).
(function () {
  "use strict";
  if (!window.L) { return; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  // A map with the base map under everything else, whatever loads first.
  function newMap(element, onBase) {
    var map = L.map(element, { zoomSnap: 0.5 }).setView([48.3, 38.0], 8);
    map.createPane("basemap").style.zIndex = 250;
    map.createPane("agreement").style.zIndex = 350;
    getJSON("/assets/basemap.geojson").then(function (countries) {
      L.geoJSON(countries, { pane: "basemap", style: { color: "#8c959f", weight: 1, fillColor: "#f6f8fa", fillOpacity: 1 }, interactive: false }).addTo(map);
      if (onBase) { onBase(); }
    }).catch(function () { if (onBase) { onBase(); } });
    return map;
  }

  // The fix's 95 % ellipse, as a polygon (metres to degrees near the point).
  function ellipse(fix) {
    var points = [], a = fix.semi_major_m, b = fix.semi_minor_m, azimuth = fix.major_axis_azimuth_deg * Math.PI / 180;
    var metresPerLat = 111132, metresPerLon = 111320 * Math.cos(fix.lat * Math.PI / 180);
    for (var i = 0; i <= 48; i++) {
      var t = 2 * Math.PI * i / 48, u = a * Math.cos(t), v = b * Math.sin(t);
      var north = u * Math.cos(azimuth) - v * Math.sin(azimuth), east = u * Math.sin(azimuth) + v * Math.cos(azimuth);
      points.push([fix.lat + north / metresPerLat, fix.lon + east / metresPerLon]);
    }
    return points;
  }

  // Leaflet writes tooltips and popups as HTML: text from the API is escaped first.
  function text(value) { var span = document.createElement("span"); span.textContent = value; return span.innerHTML; }

  window.BackstopMap = { getJSON: getJSON, newMap: newMap, ellipse: ellipse, text: text };

  var page = document.getElementById("console-map");
  if (!page) { return; }
  var view = page.getAttribute("data-view");
  var status = document.getElementById("status");
  var element = document.getElementById("map");
  var map = newMap("map", drawAgreements);
  // The legend's colours (console.css), read from it so that the two never differ.
  var colours = {};
  ["unreviewed", "pending", "verified", "rejected"].forEach(function (name) {
    var swatch = document.querySelector(".swatch." + name);
    colours[name] = swatch ? window.getComputedStyle(swatch).backgroundColor : "#6e7781";
  });

  var agreementStyles = {
    line: function (p) { var contact = p.line_kind === "contact_line"; return { color: contact ? "#b3261e" : "#0b4f9c", weight: contact ? 3 : 2, dashArray: contact ? null : "6 4" }; },
    zone: function () { return { color: "#8250df", weight: 1, fillOpacity: 0.08 }; },
    withdrawal_area: function () { return { color: "#bf8700", weight: 1, fill: false, dashArray: "2 4" }; }
  };
  function drawAgreements() {
    getJSON("/api/v1/agreements").then(function (list) {
      (list.agreements || []).forEach(function (agreement) {
        getJSON("/api/v1/agreements/" + encodeURIComponent(agreement.id) + "/geometry").then(function (geometry) {
          L.geoJSON(geometry, {
            pane: "agreement",
            style: function (feature) {
              var style = agreementStyles[feature.properties.feature];
              return style ? style(feature.properties) : { color: "#57606a", weight: 1 };
            },
            onEachFeature: function (feature, layer) {
              var p = feature.properties;
              layer.bindTooltip(text((p.name || p.id || p.rule || "") + " (" + agreement.id + ")"));
            }
          }).addTo(map);
          var element = document.getElementById("map");
          element.setAttribute("data-agreements", String(Number(element.getAttribute("data-agreements") || 0) + 1));
        }).catch(function (error) { status.textContent = "Agreement " + agreement.id + ": " + error.message; });
      });
    }).catch(function (error) { status.textContent = "Agreements: " + error.message; });
  }

  // The legend's four groups: a proposal awaits confirmation; not verified and rejected are one colour.
  function state(incident) {
    var value = incident.pending_assessment ? "pending" : (incident.state || incident.verdict || "verified");
    return { proposed: "pending", not_verified: "rejected", inconclusive: "rejected" }[value] || value;
  }

  var layer = L.layerGroup().addTo(map);
  var first = true;
  function load() {
    var hours = Number(document.getElementById("hours").value);
    document.getElementById("hours-value").textContent = hours >= 48 ? Math.round(hours / 24) + " days" : hours + " hours";
    var query = ["limit=1000", "from=" + encodeURIComponent(new Date(Date.now() - hours * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z"))];
    ["kind", "state", "finding", "sector"].forEach(function (name) {
      var element = document.getElementById(name);
      if (element && element.value) { query.push(name + "=" + encodeURIComponent(element.value)); }
    });
    var confidence = document.getElementById("confidence");
    if (confidence && Number(confidence.value) > 0) { query.push("min_confidence=" + confidence.value); }
    status.textContent = "Loading…";
    getJSON("/api/v1/incidents?" + query.join("&")).then(function (page) {
      layer.clearLayers();
      var bounds = [];
      (page.incidents || []).forEach(function (incident) {
        var place = incident.location || incident.place;
        if (!place || place.lat === null || place.lat === undefined) { return; }
        var colour = colours[state(incident)] || "#6e7781";
        var findings = (incident.findings || []).length;
        var style = { color: findings ? "#b3261e" : colour, weight: findings ? 3 : 1, fillColor: colour, fillOpacity: 0.35 };
        var shape;
        if (place.triangulation) {
          shape = L.polygon(ellipse(place.triangulation), style);
        } else if (place.radius_m) {
          shape = L.circle([place.lat, place.lon], Object.assign({ radius: place.radius_m }, style));
        } else {
          shape = L.circleMarker([place.lat, place.lon], Object.assign({ radius: 7 }, style));
        }
        var title = incident.kind + ", " + (incident.start || "").replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
        var body = "<strong>" + text(title) + "</strong><br>" + text(state(incident)) +
          (findings ? "<br>" + text(findings + " finding(s): " + incident.findings.map(function (f) { return f.kind; }).join(", ")) : "") +
          (incident.confidence !== undefined ? "<br>confidence " + text(String(incident.confidence)) : "") +
          (place.near ? "<br>near " + text(place.near) : "") +
          "<br><a href=\"/api/v1/incidents/" + encodeURIComponent(incident.id) + "?f=html\">the incident</a>";
        shape.bindPopup(body);
        shape.addTo(layer);
        bounds.push([place.lat, place.lon]);
      });
      var count = layer.getLayers().length;
      status.textContent = count + " incident" + (count === 1 ? "" : "s") + " shown" + (page.next_cursor ? " (the first 1,000)" : "");
      page.setAttribute && page.setAttribute("data-count", String(count));
      document.getElementById("map").setAttribute("data-incidents", String(count));
      if (first && bounds.length) { map.fitBounds(bounds, { maxZoom: 11, padding: [20, 20] }); first = false; }
    }).catch(function (error) { status.textContent = "Incidents: " + error.message; });
  }

  // The sectors at their alert levels, under the incidents (for those who may read them).
  var sectorLayer = L.layerGroup().addTo(map);
  function drawSectors() {
    if (!document.getElementById("sector-legend")) { return; }
    getJSON("/api/v1/sectors").then(function (answer) {
      sectorLayer.clearLayers();
      (answer.sectors || []).forEach(function (sector) {
        if (!sector.outline) { return; }
        var band = document.querySelector("#sector-legend .band.level-" + sector.level);
        var colour = band ? window.getComputedStyle(band).borderTopColor : "#57606a";
        L.polygon(sector.outline.map(function (p) { return [p[1], p[0]]; }), {
          pane: "agreement", color: colour, weight: sector.level > 0 ? 3 : 1, dashArray: sector.level > 0 ? null : "2 6", fill: false
        }).bindTooltip(text(sector.name + ": " + sector.level_name)).addTo(sectorLayer);
      });
      element.setAttribute("data-sectors", String(sectorLayer.getLayers().length));
    }).catch(function (error) { status.textContent = "Sectors: " + error.message; });
  }
  drawSectors();

  ["hours", "kind", "state", "finding", "confidence", "sector"].forEach(function (name) {
    var element = document.getElementById(name);
    if (element) { element.addEventListener("change", load); }
  });
  load();

  // Changes appear without reloading: the server's event stream names what changed, and the
  // map reloads its listing (a second after the last event, so a burst costs one read). The
  // stream's `ready` (on every reconnection) reloads too, for what changed while it was down.
  var pending = null, events = 0;
  function soon() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; load(); drawSectors(); }, 1000);
  }
  if (window.EventSource) {
    var stream = new EventSource("/api/v1/incidents/events");
    var opened = 0;
    stream.addEventListener("ready", function () {
      element.setAttribute("data-live", "open");
      if (opened++ > 0) { soon(); }
    });
    stream.addEventListener("changed", function () {
      events += 1;
      element.setAttribute("data-events", String(events));
      soon();
    });
    stream.addEventListener("error", function () { element.setAttribute("data-live", "reconnecting"); });
    window.addEventListener("pagehide", function () { stream.close(); });
  }
  // An embargo that lapses changes what the public sees without any write: look again now and then.
  setInterval(load, 300000);
}());
