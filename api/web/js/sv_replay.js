// A past day on the map: one worker's planned route, the GPS track as it was sent, the stops
// found in it and the visit events (arrived, departed, no one at home...). A time slider moves
// a marker along the track and lists the events up to that moment.
import * as api from './api.js';
import { fmtTime, t, translateDom } from './i18n.js';
import { L } from './sv_map.js';
import { esc } from './html.js';

const $ = (id) => document.getElementById(id);
const EVENT_COLOURS = {
  arrived: '#2f9e44', departed: '#1f6feb', service_rendered: '#0c8599', client_confirmed: '#5c940d',
  no_show: '#c92a2a', refused: '#c92a2a',
};

const PANEL = `
  <h2 data-i18n="replay.title"></h2>
  <label><span data-i18n="replay.worker"></span><select id="replay-worker"></select></label>
  <div class="toolbar"><button id="replay-show" class="primary" data-i18n="replay.show"></button></div>
  <p class="notice" id="replay-empty" hidden></p>
  <div id="replay-body" hidden>
    <div class="small" id="replay-figures"></div>
    <label><span data-i18n="replay.time"></span>
      <input type="range" id="replay-slider" min="0" max="0" step="30" aria-describedby="replay-clock"></label>
    <div class="replay-clock"><b id="replay-clock"></b> <span class="small muted" id="replay-where"></span></div>
    <h2 data-i18n="replay.events"></h2>
    <ul class="plan-list" id="replay-events"></ul>
  </div>`;

// Where the track was at `ms`: between the two pings around it, in proportion to the time.
export function positionAt(track, ms) {
  if (!track.length) return null;
  if (ms <= track[0].ms) return track[0];
  const last = track[track.length - 1];
  if (ms >= last.ms) return last;
  let lo = 0;
  let hi = track.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (track[mid].ms <= ms) lo = mid; else hi = mid;
  }
  const a = track[lo];
  const b = track[hi];
  const f = b.ms === a.ms ? 0 : (ms - a.ms) / (b.ms - a.ms);
  return { ms, lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}

export class ReplayTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.day = null;
    this.track = [];
    this.marker = null;
    const panel = $('panel-replay');
    panel.innerHTML = PANEL;
    translateDom(panel);
    $('replay-show').addEventListener('click', () => this.load());
    $('replay-slider').addEventListener('input', () => this.moveTo(Number($('replay-slider').value) * 1000));
  }

  reset() {
    this.day = null;
    this.loadedFor = null;
  }

  hide() {
    this.ctx.map.layers.routes.clearLayers();
    this.ctx.map.layers.workers.clearLayers();
    this.marker = null;
  }

  async show() {
    const officeId = this.ctx.officeId();
    if (this.loadedFor !== officeId) {
      const workers = await api.workers(officeId).catch(() => ({ items: [] }));
      const rows = (workers.items ?? workers)
        .sort((a, b) => String(a.full_name).localeCompare(String(b.full_name), 'ru'));
      $('replay-worker').replaceChildren(...rows.map((w) => new Option(w.full_name, w.id)));
      this.loadedFor = officeId;
    }
    if (this.day) this.draw();
  }

  async load() {
    const workerId = Number($('replay-worker').value);
    if (!workerId) return;
    $('replay-show').disabled = true;
    try {
      this.day = await api.dayTrack(workerId, this.ctx.day());
      this.draw();
    } catch (exc) {
      this.ctx.showError(exc);
      this.day = null;
      $('replay-body').hidden = true;
    } finally {
      $('replay-show').disabled = false;
    }
  }

  draw() {
    const day = this.day;
    this.hide();
    const layer = this.ctx.map.layers.routes;
    this.track = day.track.map((p) => ({ ms: new Date(p.t).getTime(), lat: p.lat, lon: p.lon }));
    const planned = day.planned.filter((s) => s.lon != null);
    const nothing = !this.track.length && !day.events.length && !planned.length;
    $('replay-empty').hidden = !nothing;
    $('replay-empty').textContent = nothing ? t('replay.nothing') : '';
    $('replay-body').hidden = nothing;
    if (nothing) return;
    if (planned.length > 1) {
      L.polyline(planned.map((s) => [s.lat, s.lon]), { color: '#1f6feb', weight: 3, dashArray: '6 6', opacity: 0.8 })
        .bindTooltip(esc(t('replay.planned_route'))).addTo(layer);
    }
    for (const s of planned) {
      L.circleMarker([s.lat, s.lon], { radius: 7, color: '#1f6feb', weight: 2, fillColor: '#fff', fillOpacity: 1 })
        .bindTooltip(esc(`${s.seq}. ${fmtTime(s.start)}–${fmtTime(s.end)} ${s.client_name}`)).addTo(layer);
    }
    if (this.track.length > 1) {
      L.polyline(this.track.map((p) => [p.lat, p.lon]), { color: '#e8590c', weight: 3, opacity: 0.85 })
        .bindTooltip(esc(t('replay.track'))).addTo(layer);
    }
    for (const s of day.stops) {
      L.circleMarker([s.lat, s.lon], { radius: 5, color: '#495057', weight: 1, fillColor: '#adb5bd', fillOpacity: 0.9 })
        .bindTooltip(esc(t('replay.stop', { from: fmtTime(s.start), to: fmtTime(s.end), minutes: s.minutes }))).addTo(layer);
    }
    for (const e of day.events) {
      if (e.lon == null) continue;
      L.circleMarker([e.lat, e.lon], { radius: 4, color: EVENT_COLOURS[e.type] ?? '#343a40', weight: 3, fill: false })
        .bindTooltip(esc(`${fmtTime(e.t)} ${this.eventName(e.type)} · ${e.client_name}`)).addTo(layer);
    }
    $('replay-figures').textContent = t('replay.figures', {
      pings: day.track.length, stops: day.stops.length, events: day.events.length, planned: day.planned.length,
    });
    const times = [...this.track.map((p) => p.ms), ...day.events.map((e) => new Date(e.t).getTime())];
    const first = Math.min(...times);
    const last = Math.max(...times);
    const slider = $('replay-slider');
    slider.min = String(Math.floor(first / 1000));
    slider.max = String(Math.ceil(last / 1000));
    slider.value = slider.min;
    this.moveTo(first);
    const drawn = layer.getLayers();
    if (drawn.length) this.ctx.map.frame(L.featureGroup(drawn).getBounds());
  }

  eventName(type) {
    const key = `replay.event.${type}`;
    const name = t(key);
    return name === key ? type : name;
  }

  moveTo(ms) {
    const here = positionAt(this.track, ms);
    $('replay-clock').textContent = fmtTime(new Date(ms).toISOString());
    if (here) {
      const icon = L.divIcon({ className: '', html: '<div class="replay-pin" id="replay-pin"></div>', iconSize: [16, 16], iconAnchor: [8, 8] });
      if (!this.marker) this.marker = L.marker([here.lat, here.lon], { icon, zIndexOffset: 1000, keyboard: false }).addTo(this.ctx.map.layers.workers);
      else this.marker.setLatLng([here.lat, here.lon]);
      $('replay-where').textContent = `${here.lat.toFixed(5)}, ${here.lon.toFixed(5)}`;
      $('replay-where').dataset.lat = here.lat;
      $('replay-where').dataset.lon = here.lon;
    }
    const happened = this.day.events.filter((e) => new Date(e.t).getTime() <= ms);
    $('replay-events').replaceChildren(...(happened.length ? happened : [null]).map((e) => {
      const li = document.createElement('li');
      if (!e) {
        li.className = 'muted';
        li.textContent = t('replay.no_events_yet');
        return li;
      }
      li.dataset.type = e.type;
      li.className = e.outside_geofence ? 'replay-event far' : 'replay-event';
      li.innerHTML = `<span><b>${esc(fmtTime(e.t))}</b> ${esc(this.eventName(e.type))} · ${esc(e.client_name)}</span>`
        + (e.outside_geofence ? `<span class="badge late">${esc(t('replay.far'))}</span>` : '');
      return li;
    }));
    $('replay-events').dataset.count = happened.length;
  }
}

