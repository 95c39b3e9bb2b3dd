// The phone page's service worker: keeps the app shell so the page opens without a network.
// Pages and code are fetched fresh when online (network first) and from the cache when not.
// API calls are never cached here: the page keeps its own copy of the route and an outbox.

const CACHE = 'careroute-shell-v5';
const SHELL = [
  '/m/',
  '/m/manifest.webmanifest',
  '/static/css/app.css',
  '/static/js/api.js',
  '/static/js/basemap.js',
  '/static/js/html.js',
  '/static/favicon.svg',
  '/static/js/i18n.js',
  '/static/js/outbox.js',
  '/static/js/phone.js',
  '/static/js/phone_day.js',
  '/static/js/phone_gps.js',
  '/static/js/phone_map.js',
  '/static/js/phone_month.js',
  '/static/js/phone_stops.js',
  '/static/js/phone_sync.js',
  '/static/js/phone_visit.js',
  '/static/i18n/ru.json',
  '/static/i18n/en.json',
  '/static/vendor/leaflet/leaflet.css',
  '/static/vendor/leaflet/leaflet-src.esm.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const shell = url.origin === location.origin && event.request.method === 'GET'
    && (url.pathname.startsWith('/static/') || url.pathname.startsWith('/m/'));
  if (!shell) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const answer = await fetch(event.request);
      if (answer.ok) cache.put(event.request, answer.clone());
      return answer;
    } catch (exc) {
      const kept = await cache.match(event.request, { ignoreSearch: true });
      if (kept) return kept;
      throw exc;
    }
  })());
});
