// Plan tab: start planning a date (progress live over the plan job's websocket), the plan's
// versions, each worker's route on the map, a timeline (one row per worker: visits as blocks,
// travel and breaks visible), move a visit to another worker (drag it, or pick it by keyboard or
// touch and choose the worker and place), approve. A move makes or edits a draft: the page says
// so, and shows that draft (not the approved version) until it is approved. The timeline is
// sv_plan_timeline.js, the moves sv_plan_moves.js.
import * as api from './api.js';
import { errorText, fmtNumber, fmtTime, t } from './i18n.js';
import { unplannedReason, visitWhy } from './reasons.js';
import { L, colourOf } from './sv_map.js';
import { PlanMoves } from './sv_plan_moves.js';
import { PlanTimeline } from './sv_plan_timeline.js';
import { esc } from './html.js';
import { holidayName, showDayKind } from './sv_day_kind.js';

const $ = (id) => document.getElementById(id);
const FINAL_STATES = ['finished', 'failed', 'stopped', 'canceled'];

export class PlanTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.plans = [];
    this.plan = null;
    this.workers = new Map();
    this.clients = new Map();
    this.socket = null;
    this.visitState = new Map(); // stop id -> done / late / missed (filled by the live tab)
    this.moves = new PlanMoves(this);
    this.timeline = new PlanTimeline(this);
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

  // --- drawing ------------------------------------------------------------------------------
  render() {
    const plan = this.plan;
    $('no-plan').hidden = Boolean(plan);
    $('plan-approve').disabled = !plan || plan.status !== 'draft';
    $('plan-versions').replaceChildren(...this.plans.map((p) => this.versionRow(p)));
    $('plan-summary').textContent = plan ? this.summary(plan) : '';
    this.drawDraftNote(plan);
    this.moves.draw();
    $('plan-unplanned').replaceChildren(...(plan?.unplanned ?? []).map((u) => this.unplannedRow(u)));
    this.drawExceptions(plan);
    this.timeline.draw();
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

  // A plan still in use, and a supervisor who may change it: its visits can be moved.
  editable() {
    return this.ctx.canEdit() && this.plan && this.plan.status !== 'superseded';
  }

  // Names for the planner's sentences: workers by id, the moved visit's client, the holiday
  // (by its date; an older sentence without one means the plan's day).
  names(stopId) {
    const stop = (this.plan?.routes ?? []).flatMap((r) => r.stops ?? []).find((s) => s.id === stopId);
    return {
      worker: (id) => this.workers.get(id)?.full_name,
      client: () => (stop ? this.clientName(stop) : undefined),
      holiday: (day) => holidayName(day ?? this.plan?.day),
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

}
