// The reports pages: the charts (Chart.js from Debian, served by Backstop) drawn from the
// figures' tables, and the report's steps sent to the API as JSON with the session's CSRF
// token (the text's edit is a PATCH, which an HTML form cannot send).
(function () {
  "use strict";

  function rows(id) {
    var table = document.getElementById(id);
    if (!table) { return []; }
    return Array.prototype.map.call(table.querySelectorAll("tbody tr[data-label]"), function (row) {
      return { label: row.getAttribute("data-label"), verified: Number(row.getAttribute("data-verified")), unverified: Number(row.getAttribute("data-unverified")) };
    });
  }

  // Colours that keep 3:1 contrast with the white page (WCAG 2.1, non-text contrast).
  var VERIFIED = "#1a7f37", UNVERIFIED = "#9a6700";

  function chart(canvasId, tableId, horizontal) {
    var canvas = document.getElementById(canvasId);
    var data = rows(tableId);
    if (!canvas || !window.Chart) { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.map(function (d) { return d.label; }),
        datasets: [
          { label: "verified", data: data.map(function (d) { return d.verified; }), backgroundColor: VERIFIED },
          { label: "not assessed yet", data: data.map(function (d) { return d.unverified; }), backgroundColor: UNVERIFIED }
        ]
      },
      options: {
        animation: false,
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    canvas.setAttribute("data-drawn", String(data.length));
  }
  chart("chart-days", "table-days", false);
  chart("chart-regions", "table-regions", true);

  var meta = document.querySelector("meta[name=csrf-token]");
  var numbers = { revision: true };

  function body(form) {
    var object = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "submit") { return; }
      if (element.name === "period") {
        var chosen = element.options[element.selectedIndex];
        object.from = chosen.getAttribute("data-from");
        object.to = chosen.getAttribute("data-to");
      } else if (element.type === "checkbox") {
        object[element.name] = element.checked;
      } else {
        object[element.name] = numbers[element.name] ? Number(element.value) : element.value;
      }
    });
    return object;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-api]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var problem = form.querySelector(".problem");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.getAttribute("data-api"), {
        method: form.getAttribute("data-method") || "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": meta ? meta.getAttribute("content") : "" },
        body: JSON.stringify(body(form))
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (answer) {
        if (!answer.ok) {
          var detail = (answer.json.errors || []).map(function (e) { return e.path + ": " + e.reason; }).join("; ");
          throw new Error((answer.json.message || answer.json.error || "refused") + (detail ? " (" + detail + ")" : ""));
        }
        var next = form.getAttribute("data-next");
        window.location.assign(next ? next.replace("{id}", answer.json.id) : window.location.pathname);
      }).catch(function (error) {
        problem.textContent = error.message;
        problem.hidden = false;
        button.disabled = false;
      });
    });
  });
}());
