/* Keeps the field visit page and its files so it opens without signal (scope /field/).
 * Pages: the network first, the kept copy when there is none. Files: the kept copy first.
 * Nothing else is touched: the API (POST /api/v1/visits) always goes to the network. */
var CACHE = "arrears-field-v1";
var PAGE = "/field/visit/";
var FILES = ["/static/field/visit.js", "/static/field/field.css", "/static/web/arrears.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(FILES.concat([PAGE]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) {
        return caches.delete(k);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(
      fetch(req).then(function (res) {
        if (res.ok) {
          var copy = res.clone();
          caches.open(CACHE).then(function (cache) { cache.put(PAGE, copy); });
        }
        return res;
      }).catch(function () {
        return caches.match(PAGE);
      })
    );
    return;
  }
  if (FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(url.pathname).then(function (hit) { return hit || fetch(req); })
    );
  }
});
