// The supervisor's Leaflet map: optional tiles, or (offline, the default) a basemap of streets
// with their names and the houses the office's clients live in; the office's service area as a
// light background; one layer group per kind of thing drawn.
import * as L from '/static/vendor/leaflet/leaflet-src.esm.js';
import * as api from './api.js';
import { createBasemap } from './basemap.js';
import { t } from './i18n.js';

export { L };

const MOSCOW = [55.751, 37.618];

// Leaflet's scale bar, with its units from the catalogue ("500 м", "1 км").
const LocalScale = L.Control.Scale.extend({
  _updateMetric(maxMeters) {
    const meters = this._getRoundNum(maxMeters);
    const label = meters < 1000 ? `${meters} ${t('unit.m')}` : `${meters / 1000} ${t('unit.km')}`;
    this._updateScale(this._mScale, label, meters / maxMeters);
  },
});

export function createMap(element, cfg) {
  const map = L.map(element, { zoomSnap: 0.25, preferCanvas: false, zoomControl: false }).setView(MOSCOW, 12);
  L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
  // Below the overlays: the service area, then the basemap's streets and houses (panes 250, 390).
  map.createPane('area').style.zIndex = 240;
  if (cfg.map_tiles_url) {
    L.tileLayer(cfg.map_tiles_url, { attribution: cfg.map_tiles_attribution, maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  new LocalScale({ imperial: false }).addTo(map);
  const layers = {
    area: L.layerGroup().addTo(map),
    streets: L.layerGroup().addTo(map),
    houses: L.layerGroup(),
    zones: L.layerGroup().addTo(map),
    routes: L.layerGroup().addTo(map),
    clients: L.layerGroup().addTo(map),
    workers: L.layerGroup().addTo(map),
  };
  const basemap = cfg.map_tiles_url ? null : createBasemap(L, map, layers);
  let areaBounds = null;

  async function showOffice(officeId) {
    layers.area.clearLayers();
    areaBounds = null;
    if (basemap) api.zoneClients(officeId).then(basemap.showHouses, () => {});
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

export function colourOf(index) {
  const palette = ['#1f6feb', '#e8590c', '#2f9e44', '#ae3ec9', '#0c8599', '#f08c00', '#c2255c', '#5c940d'];
  return palette[index % palette.length];
}
