// The incident page's map: the incident's place (its circle, or the triangulated fix's
// ellipse), and each member record as it was located: its circle, or its line of bearing from
// where the observer stood. Also the split form's button.
(function () {
  "use strict";
  // The split button waits until some records are ticked and at least one is left.
  var split = document.getElementById("split");
  if (split) {
    var boxes = document.querySelectorAll("input[form=split-form]");
    var update = function () {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      split.disabled = ticked === 0 || ticked === boxes.length;
    };
    Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", update); });
    update();
  }
  var page = document.getElementById("incident-page");
  var element = document.getElementById("incident-map");
  if (!page || !element || !window.BackstopMap) { return; }
  var id = page.getAttribute("data-incident");
  var map = window.BackstopMap.newMap(element);
  window.BackstopMap.getJSON("/api/v1/incidents/" + encodeURIComponent(id)).then(function (incident) {
    var place = incident.location || incident.place;
    if (!place || place.lat === null || place.lat === undefined) { return; }
    var bounds = [[place.lat, place.lon]];
    (incident.observations || []).forEach(function (record) {
      var resolved = record.resolved_location || {};
      var location = record.location || {};
      if (resolved.status === "resolved") {
        L.circle([resolved.lat, resolved.lon], { radius: resolved.radius_m || 250, color: "#0b4f9c", weight: 1, fillOpacity: 0.08 })
          .bindTooltip(window.BackstopMap.text(record.reporter + " (" + record.modality + ")")).addTo(map);
        bounds.push([resolved.lat, resolved.lon]);
      } else if (record.observer && location.bearing_deg !== undefined) {
        // A line of bearing, drawn 15 km out from the observer.
        var from = [record.observer.lat, record.observer.lon], radians = location.bearing_deg * Math.PI / 180, km = 15;
        var to = [from[0] + km * 1000 * Math.cos(radians) / 111132, from[1] + km * 1000 * Math.sin(radians) / (111320 * Math.cos(from[0] * Math.PI / 180))];
        L.polyline([from, to], { color: "#0b4f9c", weight: 2, dashArray: "6 4" }).bindTooltip(window.BackstopMap.text(record.reporter + ": bearing " + location.bearing_deg + "°")).addTo(map);
        L.circleMarker(from, { radius: 4, color: "#0b4f9c" }).addTo(map);
        bounds.push(from);
      }
    });
    var style = { color: "#b3261e", weight: 2, fillOpacity: 0.2 };
    if (place.triangulation) {
      L.polygon(window.BackstopMap.ellipse(place.triangulation), style).addTo(map);
    } else if (place.radius_m) {
      L.circle([place.lat, place.lon], Object.assign({ radius: place.radius_m }, style)).addTo(map);
    } else {
      L.circleMarker([place.lat, place.lon], Object.assign({ radius: 7 }, style)).addTo(map);
    }
    map.fitBounds(bounds, { maxZoom: 13, padding: [30, 30] });
    element.setAttribute("data-drawn", "true");
  }).catch(function () {});
}());
