// The day as it happens: live worker positions over the supervisors' websocket (a snapshot,
// then deltas), the day's plan with each visit done / late / missed, deviations highlighted.
import * as api from './api.js';
import { dayOf, fmtShortDate, fmtTime, t, today } from './i18n.js';
import { L, colourOf } from './sv_map.js';
import { shortName } from './sv_plan_timeline.js';
import { esc } from './html.js';

const $ = (id) => document.getElementById(id);
const LATE_AFTER_MIN = 15; // a visit not begun this long after its planned start is late
const MISSED_AFTER_MIN = 60; // ...and missed this long after its planned end
const STALE_AFTER_MIN = 10; // a phone silent this long is shown grey

export class LiveTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.socket = null;
    this.positions = new Map(); // worker id -> latest position
    this.markers = new Map();
    this.visits = new Map(); // stop id or client id -> latest visit status from the tracking
    this.plan = null;
    this.workers = new Map();
    this.timer = null;
    $('live-open-plan').addEventListener('click', () => this.ctx.openTab('plan'));
  }

  reset() {
    this.hide();
    this.positions.clear();
    this.visits.clear();
    this.plan = null;
  }

  hide() {
    this.socket?.close();
    this.socket = null;
    clearInterval(this.timer);
    this.ctx.map.layers.workers.clearLayers();
    this.ctx.map.layers.routes.clearLayers();
    this.markers.clear();
  }

  async show() {
    const officeId = this.ctx.officeId();
    const [workers, plans] = await Promise.all([
      api.workers(officeId).catch(() => ({ items: [] })),
      api.plansOf(officeId, this.ctx.day()).catch(() => []),
    ]);
    this.workers = new Map((workers.items ?? workers).map((w) => [w.id, w]));
    const list = plans.items ?? plans;
    // The day is followed against its approved plan only: a draft is not what workers do.
    const approved = list.find((p) => p.status === 'approved');
    this.plan = approved ? await api.plan(approved.id).catch(() => null) : null;
    this.showPlanState(list);
    this.connect();
    this.timer = setInterval(() => this.render(), 30000);
    this.render();
    this.ctx.map.map.invalidateSize();
    this.ctx.map.frame(this.ctx.map.layers.routes.getLayers().length
      ? L.featureGroup(this.ctx.map.layers.routes.getLayers()).getBounds() : null);
  }

  // Without an approved plan there is nothing to follow: say why and offer the plan tab.
  showPlanState(list) {
    const day = this.ctx.day();
    const missing = !this.plan;
    $('live-no-plan').hidden = !missing;
    $('live-state').hidden = missing;
    if (missing) {
      const drafts = list.filter((p) => p.status === 'draft').length;
      $('live-no-plan-text').textContent = [
        t('live.no_plan', { date: fmtShortDate(day) }),
        drafts ? t('live.draft_waiting') : t('live.make_plan'),
      ].join(' ');
    }
  }

  seenText(pos) {
    if (dayOf(pos.t) === today()) return t('live.seen', { time: fmtTime(pos.t) });
    return t('live.seen_on', { date: fmtShortDate(dayOf(pos.t)), time: fmtTime(pos.t) });
  }

  connect() {
    this.socket?.close();
    const socket = api.liveSocket(this.ctx.officeId());
    this.socket = socket;
    $('live-state').textContent = t('live.connecting');
    socket.onopen = () => { $('live-state').textContent = t('live.connected'); };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      $('live-state').textContent = t('live.reconnecting');
      setTimeout(() => { if (this.socket === socket) this.connect(); }, 3000);
    };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
  }

  receive(message) {
    if (message.type === 'snapshot') {
      for (const p of message.positions ?? message.items ?? []) this.positions.set(p.worker_id, p);
      for (const v of message.visits ?? []) this.noteVisit(v);
    } else if (message.type === 'positions') {
      for (const p of message.items ?? []) this.positions.set(p.worker_id, p);
    } else if (message.type === 'visit') {
      this.noteVisit(message.visit);
    } else if (message.type === 'plan') {
      this.show();
      return;
    }
    this.render();
  }

  // A visit is a client's visit of the day, whichever version of the plan put it on a route:
  // a re-approved plan gives every stop a new id, so the board matches by worker and client.
  noteVisit(visit) {
    if (!visit) return;
    this.visits.set(`${visit.worker_id}:${visit.client_id}`, visit);
    this.visits.set(`c${visit.client_id}`, visit);
  }

  // done / in progress / late / missed / planned, from what the tracking said and the clock.
  stateOf(stop, workerId, now) {
    const v = this.visits.get(`${workerId}:${stop.client_id}`) ?? this.visits.get(`c${stop.client_id}`);
    const status = v?.status;
    if (['done', 'departed', 'completed', 'confirmed'].includes(status)) return 'done';
    if (['no_show', 'refused', 'missed'].includes(status)) return 'missed';
    const start = new Date(stop.start).getTime();
    const end = new Date(stop.end).getTime();
    if (['arrived', 'in_progress'].includes(status)) {
      const arrived = v.arrived_at ? new Date(v.arrived_at).getTime() : now;
      return arrived > start + LATE_AFTER_MIN * 60000 ? 'late' : 'in_progress';
    }
    if (now > end + MISSED_AFTER_MIN * 60000) return 'missed';
    if (now > start + LATE_AFTER_MIN * 60000) return 'late';
    return 'planned';
  }

  workerName(id) {
    return this.workers.get(id)?.full_name ?? t('worker.numbered', { id });
  }

  render() {
    const now = Date.now();
    const routes = this.plan?.routes ?? [];
    const totals = { done: 0, late: 0, missed: 0, planned: 0, in_progress: 0 };
    const perWorker = new Map();
    const routeLayer = this.ctx.map.layers.routes;
    routeLayer.clearLayers();
    routes.forEach((route, index) => {
      const counts = {
        done: 0, late: 0, missed: 0, total: route.stops?.length ?? 0,
        started: new Date(route.start).getTime() <= now, // a silent phone before the day is normal
      };
      for (const stop of route.stops ?? []) {
        const state = this.stateOf(stop, route.worker_id, now);
        totals[state] += 1;
        if (state in counts) counts[state] += 1;
        if (stop.lon != null) {
          const fill = { done: '#2f9e44', late: '#e8590c', missed: '#c92a2a' }[state] ?? colourOf(index);
          L.circleMarker([stop.lat, stop.lon], { radius: 6, color: '#fff', weight: 1.5, fillColor: fill, fillOpacity: 0.9 })
            .bindTooltip(esc(`${stop.seq}. ${fmtTime(stop.start)} ${stop.client_name ?? ''} · ${t(`visit.${state}`)}`))
            .addTo(routeLayer);
        }
      }
      perWorker.set(route.worker_id, counts);
    });
    $('live-totals').replaceChildren(...(this.plan ? ['done', 'late', 'missed', 'planned'] : []).map((k) => {
      const b = document.createElement('span');
      b.className = `badge ${k}`;
      b.dataset.kind = k;
      b.textContent = t(`live.total.${k}`, { n: totals[k] });
      return b;
    }));
    this.drawWorkers(now, perWorker);
  }

  drawWorkers(now, perWorker) {
    const layer = this.ctx.map.layers.workers;
    const ids = new Set([...this.workers.keys(), ...perWorker.keys(), ...this.positions.keys()]);
    const rows = [];
    for (const id of ids) {
      const pos = this.positions.get(id);
      // Without a plan only the workers the map shows have something to say.
      if (!this.plan && !pos) continue;
      const seen = pos ? new Date(pos.t).getTime() : null;
      const stale = !seen || now - seen > STALE_AFTER_MIN * 60000;
      if (pos) {
        const html = `<div class="worker-pin${stale ? ' stale' : ''}" data-worker-id="${esc(id)}">${esc(shortName(this.workerName(id)))}</div>`;
        const icon = L.divIcon({ className: '', html, iconSize: null, iconAnchor: [10, 10] });
        let marker = this.markers.get(id);
        if (!marker) {
          marker = L.marker([pos.lat, pos.lon], { icon, zIndexOffset: 1000 }).addTo(layer);
          this.markers.set(id, marker);
        } else {
          marker.setLatLng([pos.lat, pos.lon]);
          marker.setIcon(icon);
        }
        marker.bindTooltip(esc(this.seenText(pos)));
      }
      const counts = perWorker.get(id) ?? { done: 0, late: 0, missed: 0, total: 0 };
      const row = document.createElement('div');
      row.className = 'live-row';
      row.dataset.workerId = id;
      row.classList.toggle('deviation', counts.late + counts.missed > 0 || Boolean(counts.started && stale));
      row.innerHTML = '<div><b></b><div class="small muted seen"></div><div class="small counts"></div></div>';
      row.querySelector('b').textContent = this.workerName(id);
      row.querySelector('.seen').textContent = pos ? this.seenText(pos) : t('live.never');
      row.querySelector('.counts').textContent = !this.plan ? ''
        : counts.total ? t('live.counts', counts) : t('live.no_visits');
      row.dataset.rank = row.classList.contains('deviation') ? 0 : counts.total ? 1 : 2;
      rows.push(row);
    }
    // Who needs attention first, then those with visits today, then the rest; by name within.
    rows.sort((a, b) => a.dataset.rank - b.dataset.rank
      || a.querySelector('b').textContent.localeCompare(b.querySelector('b').textContent, 'ru'));
    $('live-workers').replaceChildren(...rows);
  }
}
