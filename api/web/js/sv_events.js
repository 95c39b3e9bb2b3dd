// The day's events: the supervisor records what happened (a worker goes home sick, an urgent
// visit comes in, a visit runs long, a client does not open), re-plans the rest of the day from
// the workers' last positions with finished and started visits kept, reads what changes for
// whom, and approves; the phones of the workers concerned are told by the server.
import * as api from './api.js';
import { errorText, fmtTime, minutesOfDay, t, today, translateDom } from './i18n.js';
import { unplannedReason } from './reasons.js';
import { dayKind, holidayName } from './sv_day_kind.js';
import { L, colourOf } from './sv_map.js';
import { esc } from './html.js';

const $ = (id) => document.getElementById(id);
const FINAL_STATES = ['finished', 'failed', 'stopped', 'canceled'];
const POLL_MS = 700;
const KINDS = ['sick', 'urgent', 'long', 'no_access'];

const PANEL = `
  <h2 data-i18n="events.title"></h2>
  <p class="notice" id="events-no-plan" hidden></p>
  <div id="events-body">
    <p class="small muted" id="events-base"></p>
    <div class="edit-only">
      <label><span data-i18n="events.from"></span><input type="time" id="events-now" required></label>
      <label><span data-i18n="events.kind"></span><select id="event-kind"></select></label>
      <div class="event-form" data-kind="sick">
        <label><span data-i18n="events.worker"></span><select id="event-worker"></select></label>
      </div>
      <div class="event-form" data-kind="urgent" hidden>
        <label><span data-i18n="events.client"></span>
          <input type="search" id="event-client-filter" autocomplete="off" data-i18n-placeholder="events.client_search">
          <select id="event-client" size="4"></select></label>
        <label><span data-i18n="events.services"></span><select id="event-services" multiple size="4"></select></label>
        <label><span data-i18n="events.deadline"></span><input type="time" id="event-deadline"></label>
      </div>
      <div class="event-form" data-kind="long" hidden>
        <label><span data-i18n="events.visit"></span><select id="event-long-visit"></select></label>
        <label><span data-i18n="events.minutes"></span><input type="number" id="event-minutes" min="1" max="480" value="30"></label>
      </div>
      <div class="event-form" data-kind="no_access" hidden>
        <label><span data-i18n="events.visit"></span><select id="event-closed-visit"></select></label>
      </div>
      <div class="toolbar"><button id="event-add" data-i18n="events.add"></button></div>
      <p class="notice bad" id="events-error" hidden></p>
      <ul class="plan-list" id="events-reported"></ul>
    </div>
    <h2 data-i18n="events.recorded"></h2>
    <p class="small muted" id="events-empty" data-i18n="events.none"></p>
    <ul class="plan-list" id="events-list"></ul>
    <div class="edit-only toolbar">
      <button id="events-replan" class="primary" data-i18n="events.replan" disabled></button>
    </div>
    <div id="events-progress" hidden>
      <div class="small" id="events-progress-text"></div>
      <div class="progress"><div id="events-progress-bar"></div></div>
    </div>
    <section id="events-preview" hidden>
      <h2 data-i18n="events.changes"></h2>
      <p class="small muted" id="events-preview-note"></p>
      <div id="events-changes"></div>
      <div class="edit-only toolbar">
        <button id="events-approve" class="ok" data-i18n="events.approve"></button>
        <button id="events-discard" data-i18n="events.discard"></button>
      </div>
    </section>
    <p class="notice" id="events-message" hidden></p>
  </div>`;

// "HH:MM" now in the office's time zone.
function clockNow() {
  const minutes = minutesOfDay(new Date().toISOString());
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export class EventsTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.base = null; // the approved plan the events happen to
    this.draft = null; // the re-planned version waiting for approval
    this.events = [];
    this.workers = new Map();
    this.clients = new Map();
    this.services = [];
    const panel = $('panel-events');
    panel.innerHTML = PANEL;
    translateDom(panel);
    $('event-kind').replaceChildren(...KINDS.map((k) => new Option(t(`events.kind.${k}`), k)));
    $('event-kind').addEventListener('change', () => this.showForm());
    $('event-client-filter').addEventListener('input', () => this.fillClients());
    $('event-add').addEventListener('click', () => this.add());
    $('events-replan').addEventListener('click', () => this.replan());
    $('events-approve').addEventListener('click', () => this.approve());
    $('events-discard').addEventListener('click', () => this.discard());
    $('events-reported').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-client-id]');
      if (!button) return;
      this.events.push({ kind: 'no_access', clientId: Number(button.dataset.clientId) });
      this.renderEvents();
    });
    $('events-list').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-index]');
      if (!button) return;
      this.events.splice(Number(button.dataset.index), 1);
      this.renderEvents();
    });
  }

  reset() {
    this.base = null;
    this.draft = null;
    this.events = [];
    this.loadedFor = null;
  }

  hide() {
    this.ctx.map.layers.routes.clearLayers();
  }

  async show() {
    const officeId = this.ctx.officeId();
    if (this.loadedFor !== officeId) {
      const [workers, clients, services] = await Promise.all([
        api.workers(officeId).catch(() => ({ items: [] })),
        api.zoneClients(officeId).catch(() => []),
        api.services(officeId).catch(() => ({ items: [] })),
      ]);
      this.workers = new Map((workers.items ?? workers).map((w) => [w.id, w]));
      this.clients = new Map(clients.map((c) => [c.id, c]));
      this.services = (services.items ?? services).filter((s) => s.active !== false);
      this.loadedFor = officeId;
    }
    const list = await api.plansOf(officeId, this.ctx.day()).catch(() => []);
    const approved = (list.items ?? list).find((p) => p.status === 'approved');
    this.base = approved ? await api.plan(approved.id).catch(() => null) : null;
    if (this.draft && this.draft.params_from !== this.base?.id) this.draft = null;
    $('events-no-plan').hidden = Boolean(this.base);
    $('events-no-plan').textContent = this.base ? '' : t('events.no_plan');
    $('events-body').hidden = !this.base;
    if (!this.base) return;
    $('events-base').textContent = t('events.base', { version: this.base.version });
    if (!$('events-now').value) $('events-now').value = this.ctx.day() === today() ? clockNow() : '11:00';
    this.fillForms();
    this.showForm();
    // the day calendar names a holiday in the reasons of visits left out
    [this.reported] = await Promise.all([
      api.officeVisits(officeId, this.ctx.day()).catch(() => []),
      dayKind(officeId, this.ctx.day()),
    ]);
    this.renderEvents();
    this.drawRoutes(this.draft ?? this.base);
  }

  workerName(id) {
    return this.workers.get(id)?.full_name ?? t('worker.numbered', { id });
  }

  clientName(id) {
    return this.clients.get(id)?.full_name ?? t('client.numbered', { id });
  }

  // --- the event forms -----------------------------------------------------------------------
  fillForms() {
    const routes = this.base.routes ?? [];
    $('event-worker').replaceChildren(...routes.map((r) => new Option(r.worker_name ?? this.workerName(r.worker_id), r.worker_id)));
    const visits = routes.flatMap((r) => (r.stops ?? []).map((s) => {
      const label = `${fmtTime(s.start)} ${s.client_name ?? this.clientName(s.client_id)} · ${r.worker_name ?? this.workerName(r.worker_id)}`;
      return [s.client_id, label];
    }));
    for (const id of ['event-long-visit', 'event-closed-visit']) {
      $(id).replaceChildren(...visits.map(([clientId, label]) => new Option(label, clientId)));
    }
    $('event-services').replaceChildren(...this.services.map((s) => new Option(`${s.code} · ${s.name} (${s.standard_minutes} ${t('unit.min')})`, s.code)));
    this.fillClients();
  }

  fillClients() {
    const needle = $('event-client-filter').value.trim().toLowerCase();
    const rows = [...this.clients.values()]
      .filter((c) => !needle || String(c.full_name ?? '').toLowerCase().includes(needle))
      .sort((a, b) => String(a.full_name).localeCompare(String(b.full_name), 'ru'))
      .slice(0, 200);
    $('event-client').replaceChildren(...rows.map((c) => new Option(c.full_name, c.id)));
    if (rows.length === 1) $('event-client').value = String(rows[0].id);
  }

  showForm() {
    const kind = $('event-kind').value;
    for (const form of document.querySelectorAll('#panel-events .event-form')) form.hidden = form.dataset.kind !== kind;
  }

  fail(text) {
    $('events-error').textContent = text ?? '';
    $('events-error').hidden = !text;
  }

  // One event from the form, checked here so the list holds only what the server can take.
  add() {
    const kind = $('event-kind').value;
    let event = null;
    if (kind === 'sick') {
      const workerId = Number($('event-worker').value);
      if (!workerId) return this.fail(t('events.pick_worker'));
      if (this.events.some((e) => e.kind === 'sick' && e.workerId === workerId)) return this.fail(t('events.duplicate'));
      event = { kind, workerId };
    } else if (kind === 'urgent') {
      const clientId = Number($('event-client').value);
      if (!clientId) return this.fail(t('events.pick_client'));
      const codes = [...$('event-services').selectedOptions].map((o) => o.value);
      const deadline = $('event-deadline').value || null;
      if (deadline && deadline <= $('events-now').value) return this.fail(t('events.deadline_past'));
      event = { kind, clientId, codes, deadline };
    } else if (kind === 'long') {
      const clientId = Number($('event-long-visit').value);
      const minutes = Number($('event-minutes').value);
      if (!clientId) return this.fail(t('events.pick_visit'));
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 480) return this.fail(t('events.bad_minutes'));
      event = { kind, clientId, minutes };
    } else {
      const clientId = Number($('event-closed-visit').value);
      if (!clientId) return this.fail(t('events.pick_visit'));
      if (this.events.some((e) => e.kind === 'no_access' && e.clientId === clientId)) return this.fail(t('events.duplicate'));
      event = { kind, clientId };
    }
    this.fail(null);
    this.events.push(event);
    this.renderEvents();
    return event;
  }

  describe(e) {
    if (e.kind === 'sick') return t('events.says.sick', { worker: this.workerName(e.workerId), time: $('events-now').value });
    if (e.kind === 'urgent') {
      const services = e.codes.length ? e.codes.join(', ') : t('events.care_plan_services');
      const text = t('events.says.urgent', { client: this.clientName(e.clientId), services });
      return e.deadline ? `${text} ${t('events.says.deadline', { time: e.deadline })}` : text;
    }
    if (e.kind === 'long') return t('events.says.long', { client: this.clientName(e.clientId), minutes: e.minutes });
    return t('events.says.no_access', { client: this.clientName(e.clientId) });
  }

  renderEvents() {
    const editable = this.ctx.canEdit();
    $('events-list').replaceChildren(...this.events.map((e, index) => {
      const li = document.createElement('li');
      li.dataset.kind = e.kind;
      li.innerHTML = `<span>${esc(this.describe(e))}</span>`
        + (editable ? `<button class="small" data-index="${index}" aria-label="${esc(t('events.remove'))}">×</button>` : '');
      return li;
    }));
    $('events-empty').hidden = this.events.length > 0;
    $('events-replan').disabled = !this.events.length;
    this.renderReported();
  }

  // Closed doors the phones reported that are not among the events yet: one tap records one.
  renderReported() {
    const planned = new Set((this.base?.routes ?? []).flatMap((r) => (r.stops ?? []).map((s) => s.client_id)));
    const recorded = new Set(this.events.filter((e) => e.kind === 'no_access').map((e) => e.clientId));
    const rows = (this.reported ?? [])
      .filter((v) => v.status === 'no_show' && planned.has(v.client_id) && !recorded.has(v.client_id));
    $('events-reported').replaceChildren(...rows.map((v) => {
      const li = document.createElement('li');
      li.className = 'reported';
      li.dataset.clientId = v.client_id;
      li.innerHTML = `<span>${esc(t('events.reported', { client: this.clientName(v.client_id), worker: this.workerName(v.worker_id) }))}</span>`
        + `<button class="small" data-client-id="${esc(v.client_id)}">${esc(t('events.record'))}</button>`;
      return li;
    }));
  }

  // --- re-plan, preview, approve -------------------------------------------------------------
  request() {
    const at = (hhmm) => `${this.ctx.day()}T${hhmm}:00`;
    const of = (kind) => this.events.filter((e) => e.kind === kind);
    return {
      now: at($('events-now').value || clockNow()),
      exclude_worker_ids: of('sick').map((e) => e.workerId),
      urgent: of('urgent').map((e) => ({
        client_id: e.clientId, service_codes: e.codes, deadline: e.deadline ? at(e.deadline) : null,
      })),
      overruns: of('long').map((e) => ({ client_id: e.clientId, minutes: e.minutes })),
      no_access_client_ids: of('no_access').map((e) => e.clientId),
    };
  }

  progress(percent, text) {
    $('events-progress').hidden = false;
    $('events-progress-text').textContent = text;
    $('events-progress-bar').style.width = `${Math.max(0, Math.min(100, percent))}%`;
  }

  message(text, kind = '') {
    $('events-message').textContent = text ?? '';
    $('events-message').className = `notice ${kind}`;
    $('events-message').hidden = !text;
  }

  async replan() {
    $('events-replan').disabled = true;
    this.message(null);
    $('events-preview').hidden = true;
    this.progress(0, t('plan.queued'));
    try {
      const job = await api.replan(this.base.id, this.request());
      const done = await this.follow(job.job_id);
      if (done.status !== 'finished' || !done.plan_id) {
        this.message(t('events.replan_failed'), 'bad');
        return;
      }
      this.draft = await api.plan(done.plan_id);
      this.draft.params_from = this.base.id;
      this.changes = await api.planChanges(done.plan_id);
      this.renderChanges();
      this.drawRoutes(this.draft);
    } catch (exc) {
      this.message(errorText(exc), 'bad');
    } finally {
      $('events-progress').hidden = true;
      $('events-replan').disabled = !this.events.length;
    }
  }

  async follow(jobId) {
    for (;;) {
      const job = await api.planJob(jobId);
      if (FINAL_STATES.includes(job.status)) return job;
      const percent = job.progress?.percent ?? 0;
      this.progress(percent, t('plan.job.running', { percent: Math.round(percent) }));
      await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    }
  }

  stopLine(change, kind) {
    const li = document.createElement('li');
    li.className = `change ${kind}`;
    li.dataset.clientId = change.client_id;
    const name = change.client_name || this.clientName(change.client_id);
    let text;
    if (kind === 'added') {
      text = t('events.added', { time: fmtTime(change.start), client: name });
      if (change.other_worker_id) text += ` ${t('events.from_worker', { worker: this.workerName(change.other_worker_id) })}`;
    } else if (kind === 'removed') {
      text = t('events.removed', { time: fmtTime(change.old_start), client: name });
      text += ` ${change.other_worker_id ? t('events.to_worker', { worker: this.workerName(change.other_worker_id) }) : t('events.to_nobody')}`;
    } else {
      text = t('events.retimed', { old: fmtTime(change.old_start), time: fmtTime(change.start), client: name });
    }
    li.textContent = text;
    return li;
  }

  renderChanges() {
    const { workers, unplanned } = this.changes;
    $('events-preview').hidden = false;
    $('events-preview-note').textContent = t('events.preview_note', { version: this.draft.version, base: this.base.version });
    const blocks = workers.map((w) => {
      const box = document.createElement('div');
      box.className = 'change-worker';
      box.dataset.workerId = w.worker_id;
      const head = document.createElement('div');
      head.innerHTML = `<b>${esc(w.worker_name)}</b>${w.off_duty ? ` <span class="badge missed">${esc(t('events.off_duty'))}</span>` : ''}`
        + ` <span class="small muted">${esc(t('events.kept', { n: w.kept }))}</span>`;
      const list = document.createElement('ul');
      list.className = 'plan-list';
      list.append(
        ...w.added.map((c) => this.stopLine(c, 'added')),
        ...w.removed.map((c) => this.stopLine(c, 'removed')),
        ...w.retimed.map((c) => this.stopLine(c, 'retimed')),
      );
      box.append(head, list);
      return box;
    });
    if (!blocks.length) {
      const none = document.createElement('p');
      none.className = 'small muted';
      none.textContent = t('events.no_changes');
      blocks.push(none);
    }
    if (unplanned.length) {
      const title = document.createElement('h2');
      title.textContent = t('plan.unplanned');
      const list = document.createElement('ul');
      list.className = 'plan-list';
      list.id = 'events-unplanned';
      const lookup = { worker: (id) => this.workerName(id), holiday: (day) => holidayName(day ?? this.ctx.day()) };
      list.append(...unplanned.map((u) => {
        const li = document.createElement('li');
        li.className = 'unplanned';
        li.dataset.clientId = u.client_id;
        li.dataset.code = u.code;
        li.innerHTML = `<b>${esc(u.client_name || this.clientName(u.client_id))}</b><div class="reason">${esc(unplannedReason(u, lookup))}</div>`;
        return li;
      }));
      blocks.push(title, list);
    }
    $('events-changes').replaceChildren(...blocks);
  }

  async approve() {
    if (!this.draft) return;
    $('events-approve').disabled = true;
    try {
      const approved = await api.approvePlan(this.draft.id);
      this.message(t('events.approved', { version: approved.version }), 'good');
      this.events = [];
      this.draft = null;
      $('events-preview').hidden = true;
      await this.show();
    } catch (exc) {
      this.message(errorText(exc), 'bad');
    } finally {
      $('events-approve').disabled = false;
    }
  }

  discard() {
    this.draft = null;
    $('events-preview').hidden = true;
    this.message(t('events.discarded'));
    this.drawRoutes(this.base);
  }

  // The plan shown on the map: each worker's route as a line through the visits.
  drawRoutes(plan) {
    const layer = this.ctx.map.layers.routes;
    layer.clearLayers();
    if (!plan) return;
    (plan.routes ?? []).forEach((route, index) => {
      const colour = colourOf(index);
      const points = (route.stops ?? []).filter((s) => s.lon != null).map((s) => [s.lat, s.lon]);
      if (points.length > 1) L.polyline(points, { color: colour, weight: 3, opacity: 0.7 }).addTo(layer);
      for (const stop of route.stops ?? []) {
        if (stop.lon == null) continue;
        L.circleMarker([stop.lat, stop.lon], {
          radius: 6, color: '#fff', weight: 1.5, fillColor: stop.pinned ? '#868e96' : colour, fillOpacity: 0.9,
        }).bindTooltip(esc(`${fmtTime(stop.start)} ${stop.client_name ?? ''} · ${route.worker_name ?? this.workerName(route.worker_id)}`))
          .addTo(layer);
      }
    });
    const drawn = layer.getLayers();
    if (drawn.length) this.ctx.map.frame(L.featureGroup(drawn).getBounds());
  }
}
