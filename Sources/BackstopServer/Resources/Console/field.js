// The monitor's field form, offline first: a report gets its UUID when saved, waits in
// IndexedDB, and is sent (with the same id, until acknowledged) whenever there is a
// connection. The page and what it needs are cached by a service worker.
(function () {
  "use strict";
  var page = document.getElementById("field-page");
  if (!page) { return; }
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var queueList = document.getElementById("queue"), emptyNote = document.getElementById("queue-empty");
  var connection = document.getElementById("connection"), problem = document.getElementById("form-problem");

  if ("serviceWorker" in navigator) {
    if (navigator.serviceWorker.controller) { page.setAttribute("data-controlled", "true"); }
    navigator.serviceWorker.register("/assets/field-sw.js", { scope: "/console/field" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      page.setAttribute("data-offline-ready", "true");
    }).catch(function (error) { connection.textContent = "This page cannot work offline here: " + error.message; });
  }

  // ---- the queue, in IndexedDB ----
  var opened = new Promise(function (resolve, reject) {
    var request = indexedDB.open("backstop-field", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("outbox", { keyPath: "id" }); };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
  function store(mode, work) {
    return opened.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("outbox", mode), result;
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        result = work(transaction.objectStore("outbox"));
      });
    });
  }
  function all() {
    return store("readonly", function (outbox) {
      var items = [];
      outbox.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { items.push(cursor.value); cursor.continue(); }
      };
      return items;
    });
  }
  function put(item) { return store("readwrite", function (outbox) { outbox.put(item); }); }
  function remove(id) { return store("readwrite", function (outbox) { outbox.delete(id); }); }

  function render() {
    return all().then(function (items) {
      queueList.textContent = "";
      items.sort(function (a, b) { return a.savedAt < b.savedAt ? -1 : 1; });
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-id", item.id);
        li.textContent = item.body.count + " × " + item.body.kind + ", " + item.body.observed_at + " — " +
          (item.refused ? "refused: " + item.refused : item.attempts ? "waiting (" + item.attempts + " attempt" + (item.attempts === 1 ? "" : "s") + ")" : "waiting");
        if (item.refused) {
          var discard = document.createElement("button");
          discard.type = "button";
          discard.textContent = "Discard";
          discard.addEventListener("click", function () { remove(item.id).then(render); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(discard);
        }
        queueList.appendChild(li);
      });
      emptyNote.hidden = items.length > 0;
      page.setAttribute("data-queued", String(items.length));
    });
  }

  // ---- sending ----
  var sending = false;
  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      return items.filter(function (item) { return !item.refused; }).reduce(function (chain, item) {
        return chain.then(function () { return send(item); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () { sending = false; return render(); });
  }
  function send(item) {
    return fetch("/api/v1/observations", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) { connection.textContent = "Connected: reports are sent."; return remove(item.id); }
      if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403 && response.status !== 408 && response.status !== 429) {
        return response.json().then(function (answer) {
          item.refused = (answer.errors || []).map(function (e) { return e.path + ": " + e.reason; }).join("; ") || answer.message || ("status " + response.status);
          return put(item);
        });
      }
      // Signed out, throttled or the server unwell: keep it and try again later.
      item.attempts = (item.attempts || 0) + 1;
      connection.textContent = response.status === 401 ? "Sign in again to send the reports waiting here." : "The server did not take the report yet; it will be sent again.";
      return put(item);
    }, function () {
      item.attempts = (item.attempts || 0) + 1;
      connection.textContent = "No connection: reports wait on this device.";
      return put(item);
    });
  }

  // ---- the form ----
  var form = document.getElementById("report");
  var whereInputs = form.querySelectorAll("input[name=where]");
  function where() { return form.querySelector("input[name=where]:checked").value; }
  Array.prototype.forEach.call(whereInputs, function (input) {
    input.addEventListener("change", function () {
      document.getElementById("where-bearing").hidden = where() !== "bearing";
      document.getElementById("where-place").hidden = where() !== "place";
    });
  });
  var observed = document.getElementById("observed");
  function nowLocal() {
    var now = new Date(); now.setSeconds(0, 0);
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  observed.value = nowLocal();

  var position = null;
  function locate() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error("this device gives no position")); return; }
      navigator.geolocation.getCurrentPosition(function (found) { resolve(found.coords); }, function (error) { reject(error); },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }
  document.getElementById("use-position").addEventListener("click", function () {
    locate().then(function (coords) {
      position = coords;
      document.getElementById("observer-lat").value = coords.latitude.toFixed(6);
      document.getElementById("observer-lon").value = coords.longitude.toFixed(6);
    }, function (error) { showProblem("No position: " + error.message); });
  });

  function showProblem(text) { problem.textContent = text; problem.hidden = !text; }
  function number(id) { var value = document.getElementById(id).value; return value === "" ? null : Number(value); }

  // A version 4 UUID; crypto.randomUUID exists only in secure contexts (HTTPS or this machine).
  function uuid() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function build() {
    var body = {
      id: uuid(), kind: document.getElementById("kind").value, count: number("count") || 1,
      observed_at: new Date(observed.value || nowLocal()).toISOString().replace(/\.\d+Z$/, "Z"),
      time_precision: "minute", modality: document.getElementById("modality").value
    };
    var notes = document.getElementById("notes").value.trim();
    if (notes) { body.notes = notes; }
    if (where() === "bearing") {
      var lat = number("observer-lat"), lon = number("observer-lon"), bearing = number("bearing");
      var low = number("distance-min"), high = number("distance-max");
      if (lat === null || lon === null) { throw new Error("Say where you stand (or use the device's position)."); }
      if (bearing === null) { throw new Error("Give the bearing."); }
      body.observer = { lat: lat, lon: lon };
      body.location = { bearing_deg: bearing };
      if (low !== null || high !== null) { body.location.distance_km = { min: low === null ? high : low, max: high === null ? low : high }; }
    } else if (where() === "place") {
      var place = document.getElementById("place").value.trim();
      if (!place) { throw new Error("Name the place."); }
      body.location = { place: place };
    } else {
      if (!position) { throw new Error("Use the device's position first (the button above)."); }
      body.location = { lat: position.latitude, lon: position.longitude, accuracy_m: Math.max(1, Math.round(position.accuracy || 50)) };
    }
    return body;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body;
    try { body = build(); } catch (error) { showProblem(error.message); return; }
    showProblem("");
    put({ id: body.id, body: body, savedAt: new Date().toISOString(), attempts: 0 }).then(render).then(sendAll);
    document.getElementById("notes").value = "";
    observed.value = nowLocal();
  });

  // Places for suggestions, kept by the service worker for offline use.
  fetch("/console/field/places", { credentials: "same-origin" }).then(function (response) { return response.ok ? response.json() : { places: [] }; })
    .then(function (answer) {
      var list = document.getElementById("places");
      (answer.places || []).forEach(function (name) { var option = document.createElement("option"); option.value = name; list.appendChild(option); });
    }).catch(function () {});

  window.addEventListener("online", sendAll);
  window.addEventListener("offline", function () { connection.textContent = "No connection: reports wait on this device."; });
  setInterval(sendAll, 15000);
  connection.textContent = navigator.onLine ? "Connected." : "No connection: reports wait on this device.";
  render().then(sendAll);
}());
