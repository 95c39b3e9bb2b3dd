// The supervisor's Leaflet map: optional tiles, the office's service area as a light
// background (so it works offline), and one layer group per kind of thing drawn.
import * as L from '/static/vendor/leaflet/leaflet-src.esm.js';
import * as api from './api.js';

export { L };

const MOSCOW = [55.751, 37.618];

export function createMap(element, cfg) {
  const map = L.map(element, { zoomSnap: 0.25, preferCanvas: false }).setView(MOSCOW, 12);
  if (cfg.map_tiles_url) {
    L.tileLayer(cfg.map_tiles_url, { attribution: cfg.map_tiles_attribution, maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.control.scale({ imperial: false }).addTo(map);
  const layers = {
    area: L.layerGroup().addTo(map),
    zones: L.layerGroup().addTo(map),
    routes: L.layerGroup().addTo(map),
    clients: L.layerGroup().addTo(map),
    workers: L.layerGroup().addTo(map),
  };
  let areaBounds = null;

  async function showOffice(officeId) {
    layers.area.clearLayers();
    areaBounds = null;
    let office = null;
    try {
      office = await api.office(officeId);
    } catch {
      return; // no registry detail: the zones and clients still frame the map
    }
    const area = office?.service_area;
    if (area) {
      const shape = L.geoJSON(area, {
        style: { color: '#52606d', weight: 2, dashArray: '6 4', fillColor: '#ffffff', fillOpacity: 0.7 },
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
