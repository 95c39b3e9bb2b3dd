// Plan tab: start planning a date (progress live over the plan job's websocket), the plan's
// versions, each worker's route on the map, a timeline (one row per worker: visits as blocks,
// travel and breaks visible), move a visit to another worker (drag it, or pick it by keyboard or
// touch and choose the worker and place), approve. A move makes or edits a draft: the page says
// so, and shows that draft (not the approved version) until it is approved.
import * as api from './api.js';
import { errorText, fmtNumber, fmtTime, minutesOfDay, t } from './i18n.js';
import { moveRefusal, unplannedReason, visitWhy } from './reasons.js';
import { L, colourOf } from './sv_map.js';
import { esc } from './html.js';
import { showDayKind } from './sv_day_kind.js';

const $ = (id) => document.getElementById(id);
const FINAL_STATES = ['finished', 'failed', 'stopped', 'canceled'];

export function shortName(fullName) {
  const [family, ...rest] = String(fullName ?? '').split(/\s+/).filter(Boolean);
  return [family, rest.map((p) => `${p[0]}.`).join('')].filter(Boolean).join(' ');
}

export class PlanTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.plans = [];
    this.plan = null;
    this.workers = new Map();
    this.clients = new Map();
    this.socket = null;
    this.visitState = new Map(); // stop id -> done / late / missed (filled by the live tab)
    $('plan-start').addEventListener('click', () => this.start());
    $('plan-approve').addEventListener('click', () => this.approve());
  }

  reset() {
    this.plans = [];
    this.plan = null;
    this.socket?.close();
    this.socket = null;
  }

  hide() {
    $('timeline').hidden = true;
    this.ctx.map.layers.routes.clearLayers();
    this.ctx.map.map.invalidateSize();
  }

  async show() {
    await Promise.all([this.loadNames(), showDayKind(this.ctx.officeId(), this.ctx.day())]);
    await this.loadPlans();
    this.render();
  }

  // Names and places for the routes: workers from the registry, clients from the zones view.
  async loadNames() {
    const officeId = this.ctx.officeId();
    if (this.namesFor === officeId) return;
    const [workers, clients, zones] = await Promise.all([
      api.workers(officeId).catch(() => ({ items: [] })),
      api.zoneClients(officeId).catch(() => []),
      api.zones(officeId).catch(() => ({ zones: [] })),
    ]);
    this.workers = new Map((workers.items ?? workers).map((w) => [w.id, w]));
    // A worker's routes wear the colour of the worker's zone, as on the zones tab.
    this.colours = new Map(zones.zones.map((z) => [z.worker_id, z.color]));
    this.clients = new Map(clients.map((c) => [c.id, c]));
    this.namesFor = officeId;
  }

  workerName(route) {
    return route.worker_name ?? this.workers.get(route.worker_id)?.full_name
      ?? t('worker.numbered', { id: route.worker_id });
  }

  clientName(stop) {
    return stop.client_name ?? this.clients.get(stop.client_id)?.full_name
      ?? t('client.numbered', { id: stop.client_id });
  }

  lonLat(stop) {
    if (stop.lon != null) return [stop.lon, stop.lat];
    const c = this.clients.get(stop.client_id);
    return c?.lon != null ? [c.lon, c.lat] : null;
  }

  async loadPlans() {
    try {
      const answer = await api.plansOf(this.ctx.officeId(), this.ctx.day());
      this.plans = answer.items ?? answer;
      // An edited or re-planned draft newer than the approved version is the work in hand.
      const newest = [...this.plans].sort((a, b) => b.version - a.version)[0];
      const approved = this.plans.find((p) => p.status === 'approved');
      const current = newest?.status === 'draft' ? newest : (approved ?? newest);
      this.plan = current ? await api.plan(current.id) : null;
    } catch (exc) {
      this.plans = [];
      this.plan = null;
      if (exc.status !== 404) this.ctx.showError(exc);
    }
  }

  async selectVersion(planId) {
    this.plan = await api.plan(planId);
    this.render();
  }

  // --- planning job ------------------------------------------------------------------------
  async start() {
    $('plan-start').disabled = true;
    this.progress(0, t('plan.queued'));
    try {
      const job = await api.startPlanning(this.ctx.officeId(), this.ctx.day());
      const jobId = job.job_id ?? job.id;
      const done = await this.follow(jobId);
      if (done.status !== 'finished') throw new Error(done.error ?? done.status);
      await this.loadPlans();
      if (done.plan_id) this.plan = await api.plan(done.plan_id);
      this.render();
      this.message(t('plan.ready'), 'good');
    } catch (exc) {
      // A failed job's own message is the planner's English: the page says it failed.
      this.message(exc.status ? errorText(exc) : t('plan.job.failed'), 'bad');
    } finally {
      $('plan-start').disabled = false;
      $('plan-progress').hidden = true;
    }
  }

  // Follows a plan job over its websocket; polls if the socket cannot be opened.
  follow(jobId) {
    return new Promise((resolve, reject) => {
      let finished = false;
      let lastPercent = 0;
      const finish = (job) => {
        if (finished) return;
        finished = true;
        this.socket?.close();
        resolve(job);
      };
      const onUpdate = (job) => {
        if (!job) return;
        // Published progress carries `percent`; the job's stored status nests it in `progress`.
        const percent = job.percent ?? job.progress?.percent;
        if (percent != null) lastPercent = percent;
        this.progress(lastPercent / 100, t(`plan.job.${job.status}`, { percent: Math.round(lastPercent) }));
        if (FINAL_STATES.includes(job.status)) finish(job);
      };
      const poll = async () => {
        while (!finished) {
          try {
            onUpdate(await api.planJob(jobId));
          } catch (exc) {
            finished = true;
            reject(exc);
            return;
          }
          await new Promise((r) => setTimeout(r, 700));
        }
      };
      try {
        this.socket = api.planJobSocket(jobId);
      } catch {
        poll();
        return;
      }
      this.socket.onmessage = (event) => onUpdate(JSON.parse(event.data));
      this.socket.onerror = () => { if (!finished) poll(); };
      this.socket.onclose = () => { if (!finished) poll(); };
    });
  }

  progress(fraction, text) {
    $('plan-progress').hidden = false;
    $('plan-progress-text').textContent = text;
    $('plan-progress-bar').style.width = `${Math.round(Math.min(1, fraction) * 100)}%`;
  }

  message(text, kind = '') {
    const box = $('plan-message');
    box.className = `notice ${kind}`;
    box.textContent = text;
    box.hidden = !text;
  }

  async approve() {
    if (!this.plan) return;
    try {
      await api.approvePlan(this.plan.id);
      await this.loadPlans();
      this.render();
      this.message(t('plan.approved_msg', { version: this.plan.version }), 'good');
    } catch (exc) {
      this.message(errorText(exc), 'bad');
    }
  }

  // A visit dropped on another worker's row: ask the API whether it fits, show the answer.
  async move(stopId, workerId, position) {
    this.message(t('plan.checking'));
    try {
      const answer = await api.moveVisit(this.plan.id, { stop_id: stopId, to_worker_id: workerId, position });
      this.plan = answer.plan ?? (await api.plan(this.plan.id));
      this.picked = null;
      await this.loadPlansList();
      this.render();
      const approved = this.plans.some((p) => p.status === 'approved');
      this.message(t(approved ? 'plan.moved_draft' : 'plan.moved_first_draft', { version: this.plan.version }), 'good');
      this.focusStop(this.plan, stopId, workerId, position);
    } catch (exc) {
      const reason = exc.status === 409 ? moveRefusal(exc.body, this.names(stopId)) : errorText(exc);
      this.message(t('plan.move_refused', { reason }), 'bad');
    }
  }

  // After a move by keyboard, the focus stays on the visit in its new place.
  focusStop(plan, stopId, workerId, position) {
    const route = (plan.routes ?? []).find((r) => r.worker_id === workerId);
    const stop = route?.stops?.[Math.min(position, (route.stops?.length ?? 1) - 1)];
    if (stop) document.querySelector(`.tl-visit[data-stop-id="${Number(stop.id)}"]`)?.focus();
  }

  async loadPlansList() {
    const answer = await api.plansOf(this.ctx.officeId(), this.ctx.day()).catch(() => this.plans);
    this.plans = answer.items ?? answer;
  }

  // --- drawing ------------------------------------------------------------------------------
  render() {
    const plan = this.plan;
    $('no-plan').hidden = Boolean(plan);
    $('plan-approve').disabled = !plan || plan.status !== 'draft';
    $('plan-versions').replaceChildren(...this.plans.map((p) => this.versionRow(p)));
    $('plan-summary').textContent = plan ? this.summary(plan) : '';
    this.drawDraftNote(plan);
    this.drawMovePanel();
    $('plan-unplanned').replaceChildren(...(plan?.unplanned ?? []).map((u) => this.unplannedRow(u)));
    this.drawExceptions(plan);
    this.drawTimeline();
    this.ctx.map.map.invalidateSize(); // the timeline took some of the map's height
    this.drawRoutes();
  }

  // Where and when a route's lunch is taken, in words.
  lunchText(lunch) {
    const times = { from: fmtTime(lunch.start), to: fmtTime(lunch.end) };
    const name = (id, fallback) => (id == null ? t(fallback) : this.clientName({ client_id: id }));
    if (lunch.place === 'start') return t('plan.lunch_start', times);
    if (lunch.place === 'stop') {
      return t('plan.lunch_after', {
        ...times, client: lunch.after_client_name ?? this.clientName({ client_id: lunch.after_client_id }),
      });
    }
    return t('plan.lunch_walk', {
      ...times,
      from_place: lunch.from_client_name ?? name(lunch.from_client_id, 'plan.start_point'),
      to_place: lunch.to_client_name ?? name(lunch.to_client_id, 'plan.end_point'),
    });
  }

  // What a supervisor must see in a plan: a lunch that falls inside a walk.
  drawExceptions(plan) {
    let box = $('plan-exceptions');
    if (!box) {
      box = document.createElement('div');
      box.id = 'plan-exceptions';
      box.className = 'notice bad';
      $('plan-summary').after(box);
    }
    const items = plan?.exceptions ?? [];
    box.hidden = !items.length;
    const title = document.createElement('strong');
    title.textContent = t('plan.exceptions');
    const list = document.createElement('ul');
    list.replaceChildren(...items.map((x) => {
      const li = document.createElement('li');
      li.dataset.code = x.code;
      li.dataset.workerId = x.worker_id;
      li.textContent = t(`plan.exception.${x.code}`, {
        worker: x.worker_name || this.workerName(x),
        from: fmtTime(x.start),
        to: fmtTime(x.end),
        from_place: x.from_client_name ?? t('plan.start_point'),
        to_place: x.to_client_name ?? t('plan.end_point'),
      });
      return li;
    }));
    box.replaceChildren(title, list);
  }

  // A draft is not what the workers follow: say so, and which version they do follow.
  drawDraftNote(plan) {
    const note = $('plan-draft-note');
    if (!note) return;
    const approved = this.plans.find((p) => p.status === 'approved');
    const draft = plan?.status === 'draft';
    note.hidden = !draft;
    note.textContent = !draft ? '' : approved
      ? t('plan.draft_note', { version: plan.version, approved: approved.version })
      : t('plan.draft_note_first', { version: plan.version });
  }

  // --- moving without a mouse: pick a visit (click, tap, Enter or Space), choose the worker
  // and the place in their day from lists, move ----------------------------------------------
  editable() {
    return this.ctx.canEdit() && this.plan && this.plan.status !== 'superseded';
  }

  pick(stop) {
    this.picked = stop;
    this.drawMovePanel();
    for (const el of document.querySelectorAll('.tl-visit.picked')) el.classList.remove('picked');
    document.querySelector(`.tl-visit[data-stop-id="${Number(stop.id)}"]`)?.classList.add('picked');
    $('plan-move-worker')?.focus();
  }

  unpick() {
    const id = this.picked?.id;
    this.picked = null;
    this.drawMovePanel();
    const el = document.querySelector(`.tl-visit[data-stop-id="${Number(id)}"]`);
    el?.classList.remove('picked');
    el?.focus();
  }

  // The workers to choose from: those with a route in the plan, then the office's others.
  moveTargets() {
    const routes = this.plan?.routes ?? [];
    const ids = [...routes.map((r) => r.worker_id)];
    for (const [id, w] of this.workers) if (w.active !== false && !ids.includes(id)) ids.push(id);
    return ids.map((id) => ({ id, route: routes.find((r) => r.worker_id === id) }));
  }

  drawMovePanel() {
    const box = $('plan-move');
    if (!box) return;
    const stop = this.picked;
    box.hidden = !stop || !this.editable();
    if (box.hidden) { box.replaceChildren(); return; }
    const title = document.createElement('b');
    title.textContent = t('plan.move.title', {
      client: this.clientName(stop), time: `${fmtTime(stop.start)}–${fmtTime(stop.end)}`,
    });
    const worker = document.createElement('select');
    worker.id = 'plan-move-worker';
    const from = (this.plan.routes ?? []).find((r) => (r.stops ?? []).some((s) => s.id === stop.id));
    for (const target of this.moveTargets()) {
      const option = document.createElement('option');
      option.value = String(target.id);
      option.textContent = t('plan.move.worker_option', {
        name: this.workerName({ worker_id: target.id }), count: target.route?.stops?.length ?? 0,
      });
      option.selected = target.id === from?.worker_id;
      worker.append(option);
    }
    const place = document.createElement('select');
    place.id = 'plan-move-position';
    const fillPlaces = () => {
      const id = Number(worker.value);
      const stops = ((this.plan.routes ?? []).find((r) => r.worker_id === id)?.stops ?? [])
        .filter((s) => s.id !== stop.id);
      const options = stops.map((s, n) => [n, t('plan.move.before', {
        n: n + 1, client: this.clientName(s), time: fmtTime(s.start),
      })]);
      options.push([stops.length, t('plan.move.last', { n: stops.length + 1 })]);
      const current = id === from?.worker_id ? (from.stops ?? []).findIndex((s) => s.id === stop.id) : stops.length;
      place.replaceChildren(...options.map(([value, text]) => {
        const option = document.createElement('option');
        option.value = String(value);
        option.textContent = text;
        option.selected = value === current;
        return option;
      }));
    };
    worker.addEventListener('change', fillPlaces);
    fillPlaces();
    const label = (key, control) => {
      const el = document.createElement('label');
      el.append(t(key), ' ', control);
      return el;
    };
    const go = document.createElement('button');
    go.id = 'plan-move-go';
    go.className = 'primary';
    go.textContent = t('plan.move.go');
    go.addEventListener('click', () => this.move(stop.id, Number(worker.value), Number(place.value)));
    const cancel = document.createElement('button');
    cancel.id = 'plan-move-cancel';
    cancel.textContent = t('plan.move.cancel');
    cancel.addEventListener('click', () => this.unpick());
    box.onkeydown = (e) => { if (e.key === 'Escape') this.unpick(); };
    const buttons = document.createElement('div');
    buttons.className = 'toolbar';
    buttons.append(go, cancel);
    box.replaceChildren(title, label('plan.move.worker', worker), label('plan.move.position', place), buttons);
  }

  // Names for the planner's sentences: workers by id, the moved visit's client.
  names(stopId) {
    const stop = (this.plan?.routes ?? []).flatMap((r) => r.stops ?? []).find((s) => s.id === stopId);
    return {
      worker: (id) => this.workers.get(id)?.full_name,
      client: () => (stop ? this.clientName(stop) : undefined),
    };
  }

  unplannedRow(u) {
    const li = document.createElement('li');
    li.className = 'unplanned';
    li.dataset.code = u.code;
    li.innerHTML = '<b></b><span class="reason"></span>';
    li.querySelector('b').textContent = this.clientName(u);
    li.querySelector('.reason').textContent = unplannedReason(u, this.names());
    if (u.address) li.title = u.address;
    return li;
  }

  versionRow(p) {
    const li = document.createElement('li');
    const name = document.createElement('a');
    name.href = '#';
    name.textContent = t('plan.version', { version: p.version });
    name.addEventListener('click', (e) => {
      e.preventDefault();
      this.selectVersion(p.id);
    });
    if (this.plan?.id === p.id) name.style.fontWeight = '700';
    const badge = document.createElement('span');
    badge.className = `badge ${p.status}`;
    badge.textContent = t(`plan.status.${p.status}`);
    li.append(name, badge);
    return li;
  }

  summary(plan) {
    const routes = plan.routes ?? [];
    const visits = routes.reduce((n, r) => n + (r.stops?.length ?? 0), 0);
    const travel = routes.reduce((n, r) => n + (r.travel_s ?? 0), 0) / 60;
    return t('plan.summary', {
      workers: routes.filter((r) => r.stops?.length).length,
      visits,
      unplanned: plan.unplanned?.length ?? 0,
      travel: fmtNumber(travel),
    });
  }

  routeColour(index, workerId) {
    return this.colours?.get(workerId) ?? colourOf(index);
  }

  drawRoutes() {
    const layer = this.ctx.map.layers.routes;
    layer.clearLayers();
    const bounds = L.latLngBounds([]);
    (this.plan?.routes ?? []).forEach((route, index) => {
      const colour = this.routeColour(index, route.worker_id);
      const points = [];
      for (const stop of route.stops ?? []) {
        const ll = this.lonLat(stop);
        if (!ll) continue;
        const latlng = [ll[1], ll[0]];
        points.push(latlng);
        bounds.extend(latlng);
        const icon = L.divIcon({
          className: '',
          html: `<div class="stop-num" style="background:${colour};width:22px;height:22px">${stop.seq}</div>`,
          iconSize: [22, 22],
        });
        L.marker(latlng, { icon, keyboard: false })
          .bindTooltip(() => this.stopTip(stop))
          .addTo(layer);
      }
      if (points.length > 1) {
        L.polyline(points, { color: colour, weight: 3, opacity: 0.75 }).addTo(layer);
      }
    });
    // Visits left out of the plan: hollow red rings, the reason on hover.
    for (const u of this.plan?.unplanned ?? []) {
      if (u.lon == null) continue;
      L.circleMarker([u.lat, u.lon], {
        radius: 8, color: '#c92a2a', weight: 2.5, dashArray: '3 2', fillColor: '#fff', fillOpacity: 0.9,
        className: 'unplanned-ring',
      })
        .bindTooltip(`<b>${esc(this.clientName(u))}</b> · ${esc(t('plan.unplanned_one'))}`
          + `<br>${esc(unplannedReason(u, this.names()))}`)
        .addTo(layer);
      bounds.extend([u.lat, u.lon]);
    }
    if (bounds.isValid()) this.ctx.map.frame(bounds);
  }

  whyLine(stop, sep) {
    const why = visitWhy(stop.why, this.names());
    return why ? `${sep}${t('plan.why', { why })}` : '';
  }

  stopTip(stop) {
    return `<b>${stop.seq}. ${fmtTime(stop.start)}–${fmtTime(stop.end)} ${esc(this.clientName(stop))}</b>`
      + (stop.address ? `<br>${esc(stop.address)}` : '')
      + (stop.why ? `<br><i>${esc(this.whyLine(stop, ''))}</i>` : '');
  }

  drawTimeline() {
    const box = $('timeline');
    const routes = this.plan?.routes ?? [];
    box.hidden = !routes.length;
    if (!routes.length) return;
    let from = 24 * 60;
    let to = 0;
    for (const r of routes) {
      from = Math.min(from, minutesOfDay(r.start));
      to = Math.max(to, minutesOfDay(r.end));
    }
    from = Math.floor(from / 60) * 60;
    to = Math.ceil(to / 60) * 60;
    const span = Math.max(60, to - from);
    const pct = (iso) => ((minutesOfDay(iso) - from) / span) * 100;
    const width = (a, b) => Math.max(0.4, pct(b) - pct(a));

    const head = document.createElement('div');
    head.className = 'tl-head';
    head.innerHTML = '<div class="tl-name"></div><div class="tl-track"></div>';
    for (let m = from; m < to; m += 60) {
      const hour = document.createElement('div');
      hour.className = 'tl-hour';
      hour.style.left = `${((m - from) / span) * 100}%`;
      hour.textContent = `${String(m / 60).padStart(2, '0')}:00`;
      head.lastChild.append(hour);
    }
    const rows = routes.map((route, index) => this.timelineRow(route, index, pct, width));
    box.replaceChildren(head, ...rows);
  }

  timelineRow(route, index, pct, width) {
    const colour = this.routeColour(index, route.worker_id);
    const row = document.createElement('div');
    row.className = 'tl-row';
    row.dataset.workerId = route.worker_id;
    const name = document.createElement('div');
    name.className = 'tl-name';
    name.innerHTML = '<span class="swatch"></span>';
    name.firstChild.style.background = colour;
    name.append(`${shortName(this.workerName(route))} · ${route.stops?.length ?? 0}`);
    name.title = this.workerName(route);
    const track = document.createElement('div');
    track.className = 'tl-track';
    const block = (cls, a, b) => {
      const el = document.createElement('div');
      el.className = cls;
      el.style.left = `${pct(a)}%`;
      el.style.width = `${width(a, b)}%`;
      track.append(el);
      return el;
    };
    block('tl-shift', route.start, route.end);
    if (route.break_start && route.break_end) {
      const lunch = block('tl-break', route.break_start, route.break_end);
      lunch.title = route.lunch ? this.lunchText(route.lunch) : t('plan.break');
      if (route.lunch) lunch.dataset.place = route.lunch.place;
      if (route.lunch?.place === 'walk') lunch.classList.add('in-walk');
    }
    for (const stop of route.stops ?? []) {
      if (stop.travel_s > 0) {
        const leave = new Date(new Date(stop.arrival).getTime() - stop.travel_s * 1000).toISOString();
        block('tl-travel', leave, stop.arrival).title = t('plan.travel', { minutes: Math.round(stop.travel_s / 60) });
      }
      const visit = block('tl-visit', stop.start, stop.end);
      visit.style.background = colour;
      visit.textContent = `${stop.seq}. ${shortName(this.clientName(stop))}`;
      visit.title = `${fmtTime(stop.start)}–${fmtTime(stop.end)} ${this.clientName(stop)}\n`
        + (stop.services ?? []).map((s) => `• ${s.name} (${s.minutes} ${t('unit.min')})`).join('\n')
        + this.whyLine(stop, '\n');
      visit.dataset.stopId = stop.id;
      const state = this.visitState.get(stop.id);
      if (state) visit.classList.add(state);
      if (this.editable()) {
        this.makeDraggable(visit, stop);
        this.makePickable(visit, stop);
      }
    }
    row.append(name, track);
    row.addEventListener('dragover', (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      row.classList.add('drop-target');
    });
    row.addEventListener('dragleave', () => row.classList.remove('drop-target'));
    row.addEventListener('drop', (e) => {
      e.preventDefault();
      row.classList.remove('drop-target');
      const stop = this.dragging;
      this.dragging = null;
      if (!stop) return;
      const position = this.dropPosition(route, track, e.clientX);
      this.move(stop.id, route.worker_id, position);
    });
    return row;
  }

  // Where among the worker's visits the drop landed (0 = first visit of the day).
  dropPosition(route, track, clientX) {
    const rect = track.getBoundingClientRect();
    const x = (clientX - rect.left) / rect.width;
    const blocks = [...track.querySelectorAll('.tl-visit')];
    const before = blocks.filter((b) => {
      const r = b.getBoundingClientRect();
      return (r.left + r.width / 2 - rect.left) / rect.width < x;
    });
    return Math.min(before.length, route.stops?.length ?? 0);
  }

  makePickable(el, stop) {
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', t('plan.move.pick', {
      client: this.clientName(stop), time: `${fmtTime(stop.start)}–${fmtTime(stop.end)}`,
    }));
    if (this.picked?.id === stop.id) el.classList.add('picked');
    el.addEventListener('click', () => this.pick(stop));
    el.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      this.pick(stop);
    });
  }

  makeDraggable(el, stop) {
    el.draggable = true;
    el.addEventListener('dragstart', (e) => {
      this.dragging = stop;
      e.dataTransfer.setData('text/plain', String(stop.id));
      e.dataTransfer.effectAllowed = 'move';
    });
    el.addEventListener('dragend', () => { this.dragging = null; });
  }
}
