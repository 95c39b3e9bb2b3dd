// The offline basemap, for maps without a tile server: streets from GET /api/basemap drawn as
// a printed city plan (grey casing, white fill, widening with the zoom), their names along them
// from a middle zoom, and small house outlines turned along the nearest street.
import * as api from './api.js';

const LABELS_FROM_ZOOM = 13.5; // street names appear from this zoom...
const ALL_LABELS_FROM_ZOOM = 16; // ...and on every long stretch of a street from this one
const HOUSES_FROM_ZOOM = 14.5; // smaller, a house is a speck
const HOUSE_LENGTH_M = 40; // a typical Perovo block, drawn along its street
const HOUSE_DEPTH_M = 13;
const M_PER_DEG_LAT = 111320;

// Draws the basemap on `map` (with Leaflet `L`); `layers.streets` and `layers.houses` receive
// the drawing. Returns showHouses(clients): one house per distinct client address.
export function createBasemap(L, map, layers) {
  map.createPane('basemap').style.zIndex = 250;
  map.createPane('basemapLabels').style.zIndex = 390;
  map.getPane('basemapLabels').style.pointerEvents = 'none';
  map.getContainer().classList.add('offline-basemap');
  const renderer = L.svg({ pane: 'basemap' });
  const labels = { major: L.layerGroup(), minor: L.layerGroup() };
  let segments = []; // [[lon, lat], [lon, lat]] of every street, to turn houses along them
  let streets = [];
  const ready = api.basemap().then((collection) => {
    [segments, streets] = drawStreets(L, collection, layers.streets, labels, renderer);
  }).catch(() => {}); // no basemap: the map still shows everything else

  // Streets widen as one zooms in, as on a printed plan (widths are in pixels).
  function widenStreets() {
    const scale = Math.min(4, Math.max(0.6, 2 ** (map.getZoom() - 15)));
    for (const [line, width] of streets) line.setStyle({ weight: width * scale });
  }

  function showLabels() {
    const zoom = map.getZoom();
    const byZoom = [
      [labels.major, LABELS_FROM_ZOOM], [labels.minor, ALL_LABELS_FROM_ZOOM], [layers.houses, HOUSES_FROM_ZOOM],
    ];
    for (const [group, from] of byZoom) {
      if (zoom >= from) group.addTo(map);
      else group.remove();
    }
  }
  map.on('zoomend', () => {
    showLabels();
    widenStreets();
  });
  ready.then(() => {
    showLabels();
    widenStreets();
  });

  // One house per distinct client address (the flat number dropped), turned along its street.
  async function showHouses(clients) {
    layers.houses.clearLayers();
    await ready;
    for (const house of housesOf(clients)) {
      L.polygon(houseOutline(house, segments), {
        renderer, interactive: false, className: 'house', color: '#c9bfb5', weight: 1, fillColor: '#e2d9d0', fillOpacity: 1,
      }).addTo(layers.houses);
    }
  }

  return { showHouses };
}

function drawStreets(L, collection, layer, labels, renderer) {
  const segments = [];
  const drawn = []; // [polyline, width at zoom 15]
  for (const feature of collection.features ?? []) {
    const lines = feature.geometry?.type === 'MultiLineString'
      ? feature.geometry.coordinates
      : feature.geometry?.type === 'LineString' ? [feature.geometry.coordinates] : [];
    const name = feature.properties?.name ?? '';
    const major = /проспект|шоссе|avenue|highway/i.test(`${feature.properties?.kind ?? ''} ${name}`);
    for (const line of lines) {
      const latlngs = line.map(([lon, lat]) => [lat, lon]);
      const style = { renderer, interactive: false, lineCap: 'round', lineJoin: 'round' };
      for (const [color, width] of [['#c4bfb6', major ? 8 : 5.5], ['#fdfcfa', major ? 6 : 3.5]]) {
        drawn.push([L.polyline(latlngs, { ...style, color, weight: width }).addTo(layer), width]);
      }
      for (let i = 1; i < line.length; i += 1) segments.push([line[i - 1], line[i]]);
      if (name) labelStreet(L, name, line, labels);
    }
  }
  return [segments, drawn];
}

// The name along the street's longest stretch; at high zoom along every long stretch.
function labelStreet(L, name, line, labels) {
  const stretches = [];
  for (let i = 1; i < line.length; i += 1) stretches.push([line[i - 1], line[i], metres(line[i - 1], line[i])]);
  stretches.sort((a, b) => b[2] - a[2]);
  stretches.forEach(([a, b, length], index) => {
    if (index > 0 && length < 350) return;
    const angle = screenAngle(a, b);
    const html = `<span class="street-label" style="transform:translate(-50%,-50%) rotate(${angle.toFixed(1)}deg)">${escapeHtml(name)}</span>`;
    L.marker([(a[1] + b[1]) / 2, (a[0] + b[0]) / 2], {
      pane: 'basemapLabels', interactive: false, keyboard: false,
      icon: L.divIcon({ className: 'street-label-anchor', html, iconSize: [0, 0] }),
    }).addTo(index === 0 ? labels.major : labels.minor);
  });
}

function housesOf(clients) {
  const byAddress = new Map();
  for (const c of clients) {
    if (c.lon == null || c.lat == null) continue;
    const key = String(c.address ?? '').replace(/,\s*кв\.?\s*\S+$/i, '') || `${c.lon.toFixed(4)},${c.lat.toFixed(4)}`;
    const house = byAddress.get(key) ?? { lon: 0, lat: 0, n: 0 };
    house.lon += c.lon;
    house.lat += c.lat;
    house.n += 1;
    byAddress.set(key, house);
  }
  return [...byAddress.values()].map((h) => ({ lon: h.lon / h.n, lat: h.lat / h.n }));
}

// A rectangle centred on the house, its long side parallel to the nearest street.
function houseOutline(house, segments) {
  const kx = M_PER_DEG_LAT * Math.cos((house.lat * Math.PI) / 180); // metres per degree of longitude
  let best = null;
  let bestDistance = Infinity;
  for (const [a, b] of segments) {
    const d = distanceToSegment(house, a, b, kx);
    if (d < bestDistance) [best, bestDistance] = [[a, b], d];
  }
  let ux = 1;
  let uy = 0;
  if (best) {
    const dx = (best[1][0] - best[0][0]) * kx;
    const dy = (best[1][1] - best[0][1]) * M_PER_DEG_LAT;
    const norm = Math.hypot(dx, dy) || 1;
    [ux, uy] = [dx / norm, dy / norm];
  }
  const corner = (along, across) => [
    house.lat + (uy * along + ux * across) / M_PER_DEG_LAT,
    house.lon + (ux * along - uy * across) / kx,
  ];
  const l = HOUSE_LENGTH_M / 2;
  const d = HOUSE_DEPTH_M / 2;
  return [corner(-l, -d), corner(l, -d), corner(l, d), corner(-l, d)];
}

function distanceToSegment(p, a, b, kx) {
  const px = (p.lon - a[0]) * kx;
  const py = (p.lat - a[1]) * M_PER_DEG_LAT;
  const bx = (b[0] - a[0]) * kx;
  const by = (b[1] - a[1]) * M_PER_DEG_LAT;
  const len2 = bx * bx + by * by || 1;
  const s = Math.max(0, Math.min(1, (px * bx + py * by) / len2));
  return Math.hypot(px - s * bx, py - s * by);
}

function metres(a, b) {
  const kx = M_PER_DEG_LAT * Math.cos((a[1] * Math.PI) / 180);
  return Math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * M_PER_DEG_LAT);
}

// The stretch's direction on screen, turned so that the text never reads upside down.
function screenAngle(a, b) {
  const kx = Math.cos((a[1] * Math.PI) / 180);
  let angle = (-Math.atan2(b[1] - a[1], (b[0] - a[0]) * kx) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  if (angle < -90) angle += 180;
  return angle;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
