// The supervisor's Leaflet map: optional tiles, or (offline, the default) a basemap of streets
// with their names and the houses the office's clients live in; the office's service area as a
// light background; one layer group per kind of thing drawn.
import * as L from '/static/vendor/leaflet/leaflet-src.esm.js';
import * as api from './api.js';

export { L };

const MOSCOW = [55.751, 37.618];
const LABELS_FROM_ZOOM = 13.5; // street names appear from this zoom...
const ALL_LABELS_FROM_ZOOM = 16; // ...and on every long stretch of a street from this one
const HOUSES_FROM_ZOOM = 14.5; // smaller, a house is a speck
const HOUSE_LENGTH_M = 40; // a typical Perovo block, drawn along its street
const HOUSE_DEPTH_M = 13;
const M_PER_DEG_LAT = 111320;

export function createMap(element, cfg) {
  const map = L.map(element, { zoomSnap: 0.25, preferCanvas: false }).setView(MOSCOW, 12);
  // Panes below the overlays: the service area, then streets and houses, then street names.
  map.createPane('area').style.zIndex = 240;
  map.createPane('basemap').style.zIndex = 250;
  map.createPane('basemapLabels').style.zIndex = 390;
  map.getPane('basemapLabels').style.pointerEvents = 'none';
  if (cfg.map_tiles_url) {
    L.tileLayer(cfg.map_tiles_url, { attribution: cfg.map_tiles_attribution, maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.control.scale({ imperial: false }).addTo(map);
  const layers = {
    area: L.layerGroup().addTo(map),
    streets: L.layerGroup().addTo(map),
    houses: L.layerGroup(),
    zones: L.layerGroup().addTo(map),
    routes: L.layerGroup().addTo(map),
    clients: L.layerGroup().addTo(map),
    workers: L.layerGroup().addTo(map),
  };
  const basemap = cfg.map_tiles_url ? null : createBasemap(map, layers);
  if (basemap) element.classList.add('offline-basemap');
  let areaBounds = null;

  async function showOffice(officeId) {
    layers.area.clearLayers();
    areaBounds = null;
    basemap?.showHouses(officeId);
    let office = null;
    try {
      office = await api.office(officeId);
    } catch {
      return; // no registry detail: the zones and clients still frame the map
    }
    const area = office?.service_area;
    if (area) {
      const shape = L.geoJSON(area, {
        pane: 'area',
        style: { color: '#52606d', weight: 2, dashArray: '6 4', fillColor: '#f8f7f4', fillOpacity: 0.85 },
        interactive: false,
      }).addTo(layers.area);
      areaBounds = shape.getBounds();
      map.fitBounds(areaBounds, { padding: [20, 20] });
    }
  }

  // Frames what is drawn; the service area is enough when nothing else is.
  function frame(bounds) {
    const target = bounds?.isValid() ? bounds : areaBounds;
    if (target?.isValid()) map.fitBounds(target, { padding: [30, 30], maxZoom: 16 });
  }

  return { map, layers, showOffice, frame };
}

// --- offline basemap ---------------------------------------------------------------------------

function createBasemap(map, layers) {
  const renderer = L.svg({ pane: 'basemap' });
  const labels = { major: L.layerGroup(), minor: L.layerGroup() };
  let segments = []; // [[lon, lat], [lon, lat]] of every street, to turn houses along them
  let streets = [];
  const ready = api.basemap().then((collection) => {
    [segments, streets] = drawStreets(collection, layers.streets, labels, renderer);
  }).catch(() => {}); // no basemap: the map still shows everything else

  // Streets widen as one zooms in, as on a printed plan (widths are in pixels).
  function widenStreets() {
    const scale = Math.min(4, Math.max(1, 2 ** (map.getZoom() - 15)));
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
  async function showHouses(officeId) {
    layers.houses.clearLayers();
    const clients = await api.zoneClients(officeId).catch(() => []);
    await ready;
    for (const house of housesOf(clients)) {
      L.polygon(houseOutline(house, segments), {
        renderer, interactive: false, className: 'house', color: '#c9bfb5', weight: 1, fillColor: '#e2d9d0', fillOpacity: 1,
      }).addTo(layers.houses);
    }
  }

  return { showHouses };
}

function drawStreets(collection, layer, labels, renderer) {
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
      if (name) labelStreet(name, line, labels);
    }
  }
  return [segments, drawn];
}

// The name along the street's longest stretch; at high zoom along every long stretch.
function labelStreet(name, line, labels) {
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

export function colourOf(index) {
  const palette = ['#1f6feb', '#e8590c', '#2f9e44', '#ae3ec9', '#0c8599', '#f08c00', '#c2255c', '#5c940d'];
  return palette[index % palette.length];
}
