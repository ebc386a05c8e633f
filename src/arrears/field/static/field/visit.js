/* The phone page of field visits: keep each visit on the phone, send it exactly once.
 *
 * A saved visit goes into an outbox in localStorage with the visit ID made here, the time it
 * was recorded and the position when the phone gives one. The outbox is sent to the API
 * whenever there is signal (now, on the browser's "online" event, when the page opens, and
 * every 20 s); an entry leaves the outbox only when the server has answered it. The API is
 * idempotent by the visit ID, so an entry sent twice (the answer was lost) is recorded once.
 */
(function () {
  "use strict";
  var KEY = "arrears.field.outbox";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var netStatus = document.getElementById("net-status");
  var outboxEl = document.getElementById("outbox");
  var errorsEl = document.getElementById("outbox-errors");
  var positionEl = document.getElementById("position");
  var position = null;
  var sending = false;
  var sentCount = 0;

  function newId() {
    if (window.crypto && crypto.randomUUID) return "v-" + crypto.randomUUID();
    return "v-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(list) { localStorage.setItem(KEY, JSON.stringify(list)); show(); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoLocal(d) {
    // The phone's own time with its offset: 2026-11-23T10:15:00+08:00.
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function show() {
    var list = load();
    var waiting = list.filter(function (v) { return !v._error; });
    outboxEl.textContent = outboxEl.dataset.waiting + " " + waiting.length +
      " · " + outboxEl.dataset.sent + " " + sentCount;
    outboxEl.dataset.count = String(waiting.length);
    var failed = list.filter(function (v) { return v._error; });
    errorsEl.hidden = failed.length === 0;
    errorsEl.innerHTML = "";
    failed.forEach(function (v) {
      var li = document.createElement("li");
      li.textContent = v.loan_id + ": " + v._error;
      errorsEl.appendChild(li);
    });
    var online = navigator.onLine;
    netStatus.textContent = online ? netStatus.dataset.online : netStatus.dataset.offline;
    netStatus.className = "net " + (online ? "online" : "offline");
  }
  function body(entry) {
    var out = {};
    Object.keys(entry).forEach(function (k) { if (k.charAt(0) !== "_") out[k] = entry[k]; });
    return JSON.stringify(out);
  }
  function drop(visitId) {
    store(load().filter(function (v) { return v.visit_id !== visitId; }));
  }
  function mark(visitId, message) {
    store(load().map(function (v) {
      if (v.visit_id === visitId) v._error = message;
      return v;
    }));
  }
  function update(visitId, change) {
    store(load().map(function (v) {
      if (v.visit_id === visitId) change(v);
      return v;
    }));
  }
  function dataUrlBlob(url) {
    var parts = url.split(",");
    var bytes = atob(parts[1]);
    var buf = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
    return new Blob([buf], { type: "image/jpeg" });
  }
  function sendPhotos(entry) {
    // The visit is recorded; its photos follow one by one (the same picture twice is filed
    // once by the server, so a lost answer is harmless).
    var photos = entry._photos || [];
    if (!photos.length) {
      sentCount += 1;
      drop(entry.visit_id);
      return Promise.resolve(true);
    }
    var data = new FormData();
    data.append("file", dataUrlBlob(photos[0]), "photo-" + photos.length + ".jpg");
    return fetch(form.dataset.api + "/" + encodeURIComponent(entry.visit_id) + "/photos", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: data
    }).then(function (r) {
      if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 403)) {
        update(entry.visit_id, function (v) { v._photos = (v._photos || []).slice(1); });
        var left = load().filter(function (v) { return v.visit_id === entry.visit_id; })[0];
        return left ? sendPhotos(left) : true;
      }
      return false;
    }, function () { return false; });
  }
  function flush() {
    if (sending) return Promise.resolve();
    var next = load().filter(function (v) { return !v._error; })[0];
    if (!next) { show(); return Promise.resolve(); }
    sending = true;
    var done = function (more) {
      sending = false;
      show();
      return more ? flush() : null;
    };
    if (next._sent) return sendPhotos(next).then(done);
    return fetch(form.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body(next)
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        update(next.visit_id, function (v) { v._sent = true; });
        next._sent = true;
        return sendPhotos(next).then(done);
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 403) {
        return r.json().then(function (data) {
          var e = (data.errors || [])[0] || {};
          mark(next.visit_id, (e.field ? e.field + ": " : "") + (e.message || r.status));
        }, function () { mark(next.visit_id, String(r.status)); }).then(function () {
          return done(true);
        });
      }
      return done(false);  // signed out or a server error: keep it and try again later
    }, function () {
      return done(false);  // no signal: keep it
    });
  }
  function shrink(file) {
    // A photo made small enough to keep on the phone: at most 1280 px, JPEG.
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.7));
        };
        img.onerror = function () { resolve(null); };
        img.src = reader.result;
      };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(file);
    });
  }
  function value(name) {
    var el = form.elements[name];
    return el ? (el.value || "").trim() : "";
  }
  function checked(name) { return !!(form.elements[name] && form.elements[name].checked); }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!value("loan_id")) { form.elements.loan_id.focus(); return; }
    var now = new Date();
    var entry = {
      visit_id: value("visit_id") || newId(),
      loan_id: value("loan_id"),
      visited_at: isoLocal(now),
      participants: Array.prototype.filter.call(
        form.querySelectorAll("input[name=participants]"), function (c) { return c.checked; }
      ).map(function (c) { return c.value; }),
      recording_ref: value("recording_ref"),
      outcome: value("outcome"),
      person_met: value("person_met"),
      address_found: checked("address_found"),
      notice_served: checked("notice_served"),
      notice_signed: value("notice_signed"),
      receipt_no: value("receipt_no"),
      whereabouts: value("whereabouts"),
      needs_officials: checked("needs_officials"),
      note: value("note")
    };
    ["cash_principal", "cash_interest", "cash_penalty", "intention_amount"].forEach(function (k) {
      if (value(k)) entry[k] = value(k);
    });
    if (value("intention_date")) entry.intention_date = value("intention_date");
    if (position) {
      entry.latitude = position.latitude.toFixed(6);
      entry.longitude = position.longitude.toFixed(6);
    }
    var files = form.elements.photos ? Array.prototype.slice.call(form.elements.photos.files) : [];
    Promise.all(files.map(shrink)).then(function (photos) {
      entry._photos = photos.filter(Boolean);
      var list = load();
      if (!list.some(function (v) { return v.visit_id === entry.visit_id; })) list.push(entry);
      try {
        store(list);
      } catch (e) {  // the phone's storage is full: keep the visit, not its photos
        entry._photos = [];
        store(list);
      }
      form.reset();
      form.elements.visit_id.value = newId();
      flush();
    });
  });

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (p) {
      position = p.coords;
      positionEl.textContent = positionEl.dataset.got;
    }, function () { positionEl.textContent = positionEl.dataset.none; },
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 600000 });
  } else {
    positionEl.textContent = positionEl.dataset.none;
  }
  form.elements.visit_id.value = newId();
  window.addEventListener("online", function () { show(); flush(); });
  window.addEventListener("offline", show);
  setInterval(flush, 20000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.scope }).catch(function () {});
  }
  show();
  flush();
})();
