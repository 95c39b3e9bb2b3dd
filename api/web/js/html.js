// Text put into HTML markup (Leaflet tooltips, popups and icons take markup): always through esc.
// Elsewhere the pages set textContent, which needs no escaping.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}
