// The day's route on a map: the visits numbered in order (one marker per house), the way
// between them, and the phone's own position.
import { fmtTime, t } from './i18n.js';
import { esc } from './html.js';
import { cfg, state, stateOf } from './phone_day.js';

let map = null;
let meMarker = null;
export async function drawMap() {
  const L = await import('/static/vendor/leaflet/leaflet-src.esm.js');
  if (!map) {
    map = L.map('phone-map', { zoomControl: false });
    L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
    if (cfg.map_tiles_url) {
      L.tileLayer(cfg.map_tiles_url, { attribution: cfg.map_tiles_attribution, maxZoom: 19 }).addTo(map);
    } else {
      // No tile server: the streets and the clients' houses, drawn from the office's basemap.
      const { createBasemap } = await import('./basemap.js');
      const layers = { streets: L.layerGroup().addTo(map), houses: L.layerGroup() };
      map.basemap = createBasemap(L, map, layers);
    }
    map.attributionControl.setPrefix(false);
    map.stopsLayer = L.layerGroup().addTo(map);
  }
  map.basemap?.showHouses((state.route?.stops ?? []).map((s) => s.client));
  map.stopsLayer.clearLayers();
  const points = [];
  // Visits in one house share a marker ("1·2"), so none hides another.
  const houses = new Map();
  for (const stop of state.route?.stops ?? []) {
    if (stop.client.lat == null) continue;
    const ll = [stop.client.lat, stop.client.lon];
    points.push(ll);
    const key = ll.join(',');
    if (!houses.has(key)) houses.set(key, { ll, stops: [] });
    houses.get(key).stops.push(stop);
  }
  for (const { ll, stops } of houses.values()) {
    const colour = stops.every((s) => stateOf(s) === 'done') ? '#2f9e44' : '#1f6feb';
    const label = stops.map((s) => s.seq).join('·');
    const width = Math.max(26, 12 + 8 * label.length);
    const icon = L.divIcon({
      className: '',
      html: `<div class="stop-num" style="background:${colour};width:${width}px;height:26px;line-height:22px;border-radius:13px">${label}</div>`,
      iconSize: [width, 26],
    });
    const popup = stops.map((s) => `<b>${s.seq}. ${fmtTime(s.start)}</b> ${esc(s.client.full_name)}`).join('<br>');
    L.marker(ll, { icon }).bindPopup(`${popup}<br>${esc(stops[0].client.address)}`).addTo(map.stopsLayer);
  }
  if (points.length > 1) L.polyline(points, { color: '#1f6feb', weight: 3, opacity: 0.6 }).addTo(map.stopsLayer);
  map.invalidateSize();
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  updateMapPosition(L);
}

export async function updateMapPosition(Lmod) {
  if (!map || !state.lastFix) return;
  const L = Lmod ?? (await import('/static/vendor/leaflet/leaflet-src.esm.js'));
  if (!meMarker) meMarker = L.circleMarker([state.lastFix.lat, state.lastFix.lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#e8590c', fillOpacity: 1 }).addTo(map);
  else meMarker.setLatLng([state.lastFix.lat, state.lastFix.lon]);
}
