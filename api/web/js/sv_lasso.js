// The lasso on the supervisor's map: press and drag to circle places; the ring drawn goes to
// whoever switched it on. The map does not pan while it is on.
import { L } from './sv_map.js';

export function pointInPolygon([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// Starts a lasso on the map: onRing(ring of [lon, lat], shiftKey) after each drawing. Returns
// the lasso; lasso.stop() ends it and lets the map pan again.
export function startLasso(map, onRing) {
  map.dragging.disable();
  const lasso = { points: null, line: null };
  lasso.down = (e) => {
    lasso.points = [e.latlng];
    lasso.line = L.polyline(lasso.points, { color: '#111', weight: 2, dashArray: '4 4' }).addTo(map);
  };
  lasso.move = (e) => {
    if (!lasso.points) return;
    lasso.points.push(e.latlng);
    lasso.line.setLatLngs(lasso.points);
  };
  lasso.up = (e) => {
    if (!lasso.points) return;
    const ring = lasso.points.map((p) => [p.lng, p.lat]);
    lasso.line.remove();
    lasso.points = null;
    if (ring.length < 3) return;
    onRing(ring, e.originalEvent.shiftKey);
  };
  lasso.stop = () => {
    map.off('mousedown', lasso.down).off('mousemove', lasso.move).off('mouseup', lasso.up);
    lasso.line?.remove();
    map.dragging.enable();
  };
  map.on('mousedown', lasso.down).on('mousemove', lasso.move).on('mouseup', lasso.up);
  return lasso;
}
