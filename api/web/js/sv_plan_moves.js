// Moving a visit to another worker or place in the day, in the plan tab: by dragging it on
// the timeline or, without a mouse, by picking it (click, tap, Enter or Space) and choosing
// the worker and the place from lists. The API checks that the visit fits; a move makes or
// edits a draft.
import * as api from './api.js';
import { errorText, fmtTime, t } from './i18n.js';
import { moveRefusal } from './reasons.js';

const $ = (id) => document.getElementById(id);

export class PlanMoves {
  constructor(tab) {
    this.tab = tab;
    this.picked = null; // the visit chosen to move, without a mouse
  }

  pick(stop) {
    this.picked = stop;
    this.draw();
    for (const el of document.querySelectorAll('.tl-visit.picked')) el.classList.remove('picked');
    document.querySelector(`.tl-visit[data-stop-id="${Number(stop.id)}"]`)?.classList.add('picked');
    $('plan-move-worker')?.focus();
  }

  unpick() {
    const id = this.picked?.id;
    this.picked = null;
    this.draw();
    const el = document.querySelector(`.tl-visit[data-stop-id="${Number(id)}"]`);
    el?.classList.remove('picked');
    el?.focus();
  }

  // The workers to choose from: those with a route in the plan, then the office's others.
  targets() {
    const routes = this.tab.plan?.routes ?? [];
    const ids = [...routes.map((r) => r.worker_id)];
    for (const [id, w] of this.tab.workers) if (w.active !== false && !ids.includes(id)) ids.push(id);
    return ids.map((id) => ({ id, route: routes.find((r) => r.worker_id === id) }));
  }

  draw() {
    const box = $('plan-move');
    if (!box) return;
    const stop = this.picked;
    box.hidden = !stop || !this.tab.editable();
    if (box.hidden) { box.replaceChildren(); return; }
    const title = document.createElement('b');
    title.textContent = t('plan.move.title', {
      client: this.tab.clientName(stop), time: `${fmtTime(stop.start)}–${fmtTime(stop.end)}`,
    });
    const worker = document.createElement('select');
    worker.id = 'plan-move-worker';
    const from = (this.tab.plan.routes ?? []).find((r) => (r.stops ?? []).some((s) => s.id === stop.id));
    for (const target of this.targets()) {
      const option = document.createElement('option');
      option.value = String(target.id);
      option.textContent = t('plan.move.worker_option', {
        name: this.tab.workerName({ worker_id: target.id }), count: target.route?.stops?.length ?? 0,
      });
      option.selected = target.id === from?.worker_id;
      worker.append(option);
    }
    const place = document.createElement('select');
    place.id = 'plan-move-position';
    const fillPlaces = () => {
      const id = Number(worker.value);
      const stops = ((this.tab.plan.routes ?? []).find((r) => r.worker_id === id)?.stops ?? [])
        .filter((s) => s.id !== stop.id);
      const options = stops.map((s, n) => [n, t('plan.move.before', {
        n: n + 1, client: this.tab.clientName(s), time: fmtTime(s.start),
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

  // A visit dropped on another worker's row: ask the API whether it fits, show the answer.
  async move(stopId, workerId, position) {
    this.tab.message(t('plan.checking'));
    try {
      const answer = await api.moveVisit(this.tab.plan.id, { stop_id: stopId, to_worker_id: workerId, position });
      this.tab.plan = answer.plan ?? (await api.plan(this.tab.plan.id));
      this.picked = null;
      await this.loadPlansList();
      this.tab.render();
      const approved = this.tab.plans.some((p) => p.status === 'approved');
      this.tab.message(t(approved ? 'plan.moved_draft' : 'plan.moved_first_draft', { version: this.tab.plan.version }), 'good');
      this.focusStop(this.tab.plan, stopId, workerId, position);
    } catch (exc) {
      const reason = exc.status === 409 ? moveRefusal(exc.body, this.tab.names(stopId)) : errorText(exc);
      this.tab.message(t('plan.move_refused', { reason }), 'bad');
    }
  }

  // After a move by keyboard, the focus stays on the visit in its new place.
  focusStop(plan, stopId, workerId, position) {
    const route = (plan.routes ?? []).find((r) => r.worker_id === workerId);
    const stop = route?.stops?.[Math.min(position, (route.stops?.length ?? 1) - 1)];
    if (stop) document.querySelector(`.tl-visit[data-stop-id="${Number(stop.id)}"]`)?.focus();
  }

  async loadPlansList() {
    const answer = await api.plansOf(this.tab.ctx.officeId(), this.tab.ctx.day()).catch(() => this.tab.plans);
    this.tab.plans = answer.items ?? answer;
  }
}
