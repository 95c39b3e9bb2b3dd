// The week tab: plan the office's week (the date's ISO week) as a job, then workers x days
// over the map: each cell the worker's minutes of work and visits, overloads and absences
// marked. A visit is dragged to another cell, or chosen (click or Enter) and sent with the
// day/worker selects; the server checks the rule, the duty and the day with travel at once.
// Approve the whole week; and where the office's queued clients fit in it.
import * as api from './api.js';
import { fitText } from './fit_text.js';
import { errorText, fmtShortDate, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

function isoWeek(day) {
  const d = new Date(`${day}T12:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the week's Thursday names its year
  const year = d.getUTCFullYear();
  const first = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((d - first) / 86400000 - 3 + ((first.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export class WeekTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.view = null;
    this.chosen = null; // {clientId, fromDay, name}
    $('week-start').addEventListener('click', () => this.start());
    $('week-approve').addEventListener('click', () => this.approve());
    $('week-move').addEventListener('click', () => this.moveChosen());
    $('week-fits-load').addEventListener('click', () => this.loadFits());
    $('week-select').addEventListener('change', () => this.load(Number($('week-select').value)));
  }

  reset() {
    this.view = null;
    this.chosen = null;
  }

  hide() {
    $('week-grid').hidden = true;
  }

  async show() {
    $('week-grid').hidden = false;
    $('week-period').textContent = isoWeek(this.ctx.day());
    await this.loadList();
  }

  say(text, bad = false) {
    const box = $('week-message');
    box.textContent = text;
    box.classList.toggle('bad', bad);
    box.hidden = !text;
  }

  async loadList() {
    let weeks = [];
    try {
      weeks = await api.weeksOf(this.ctx.officeId());
    } catch (exc) {
      this.ctx.showError(exc);
    }
    const select = $('week-select');
    select.replaceChildren(
      ...weeks.map((w) => new Option(`${fmtShortDate(w.start)} – ${fmtShortDate(w.end)} · №${w.id}`, w.id)),
    );
    $('week-none').hidden = weeks.length > 0;
    if (weeks.length) await this.load(weeks[0].id);
    else $('week-grid').replaceChildren();
  }

  async start() {
    this.say('');
    try {
      const job = await api.startWeek(this.ctx.officeId(), { week: isoWeek(this.ctx.day()) });
      $('week-progress').hidden = false;
      for (;;) {
        const state = await api.planJob(job.job_id);
        const percent = state.progress?.percent ?? 0;
        $('week-progress-bar').style.width = `${percent}%`;
        $('week-progress-text').textContent = t('week.progress', { percent: Math.round(percent) });
        if (state.status === 'finished') {
          await this.loadList();
          break;
        }
        if (['failed', 'stopped', 'canceled'].includes(state.status)) {
          this.say(t('week.failed'), true);
          break;
        }
        await new Promise((resolve) => { setTimeout(resolve, 1000); });
      }
    } catch (exc) {
      this.say(errorText(exc), true);
    } finally {
      $('week-progress').hidden = true;
    }
  }

  async load(weekId) {
    try {
      this.view = await api.week(weekId);
    } catch (exc) {
      this.ctx.showError(exc);
      return;
    }
    $('week-select').value = String(weekId);
    this.render();
  }

  render() {
    const view = this.view;
    const head = el('tr', {}, el('th', { textContent: t('week.worker') }));
    for (const d of view.days) {
      const th = el('th', { textContent: fmtShortDate(d.day), dataset: { day: d.day } });
      if (d.off) th.classList.add('off');
      th.append(el('div', { className: 'small muted', textContent: d.status ? t(`week.status.${d.status}`) : '' }));
      head.append(th);
    }
    const body = view.workers.map((w) => {
      const row = el('tr', { dataset: { worker: w.worker_id } }, el('th', { textContent: w.worker_name }));
      for (const cell of w.cells) row.append(this.cell(w, cell));
      return row;
    });
    const table = el('table', { className: 'week-table', id: 'week-table' }, el('thead', {}, head), el('tbody', {}, ...body));
    $('week-grid').replaceChildren(table);
    const days = $('week-to-day');
    days.replaceChildren(...view.days.map((d) => new Option(fmtShortDate(d.day), d.day)));
    const workers = $('week-to-worker');
    workers.replaceChildren(...view.workers.map((w) => new Option(w.worker_name, w.worker_id)));
    const drafts = view.days.filter((d) => d.status === 'draft').length;
    $('week-summary').textContent = t('week.summary', {
      planned: view.stats?.planned ?? 0, unplanned: view.stats?.unplanned ?? 0, drafts,
    });
  }

  cell(worker, cell) {
    const td = el('td', {
      className: 'week-cell',
      dataset: { day: cell.day, worker: worker.worker_id },
    });
    if (!cell.on_duty) td.classList.add('off');
    if (cell.absent) td.classList.add('absent');
    if (cell.overload) td.classList.add('overload');
    const label = cell.absent ? t('week.absent') : cell.on_duty ? t('week.cell', {
      minutes: cell.work_minutes, shift: cell.shift_minutes, visits: cell.visits.length,
    }) : t('week.off');
    td.append(el('div', { className: 'small', textContent: label }));
    if (cell.overload) td.append(el('div', { className: 'small bad', textContent: t('week.overload') }));
    for (const v of cell.visits) {
      const chip = el('div', {
        className: 'week-visit',
        draggable: true,
        tabIndex: 0,
        textContent: `${v.client_name} · ${v.minutes}′`,
        dataset: { client: v.client_id, day: cell.day },
      });
      chip.addEventListener('dragstart', (event) => {
        event.dataTransfer.setData('text/plain', JSON.stringify({ client: v.client_id, day: cell.day }));
      });
      const choose = () => this.choose(v, cell.day, chip);
      chip.addEventListener('click', choose);
      chip.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          choose();
        }
      });
      td.append(chip);
    }
    td.addEventListener('dragover', (event) => event.preventDefault());
    td.addEventListener('drop', (event) => {
      event.preventDefault();
      const moved = JSON.parse(event.dataTransfer.getData('text/plain') || '{}');
      if (moved.client) this.move(Number(moved.client), moved.day, cell.day, worker.worker_id);
    });
    return td;
  }

  choose(visit, day, chip) {
    for (const c of document.querySelectorAll('.week-visit.chosen')) c.classList.remove('chosen');
    chip.classList.add('chosen');
    this.chosen = { clientId: visit.client_id, fromDay: day, name: visit.client_name };
    $('week-chosen').textContent = t('week.chosen', { client: visit.client_name, day: fmtShortDate(day) });
    $('week-move-box').hidden = false;
    $('week-to-day').focus();
  }

  async moveChosen() {
    if (!this.chosen) return;
    await this.move(this.chosen.clientId, this.chosen.fromDay, $('week-to-day').value, Number($('week-to-worker').value));
  }

  async move(clientId, fromDay, toDay, toWorkerId) {
    this.say('');
    try {
      const answer = await api.moveToDay(this.view.id, {
        client_id: clientId, from_day: fromDay, to_day: toDay, to_worker_id: toWorkerId,
      });
      await this.load(this.view.id);
      this.say(t('week.moved', { travel: answer.added_travel_minutes }));
      this.chosen = null;
      $('week-move-box').hidden = true;
    } catch (exc) {
      this.say(errorText(exc), true);
    }
  }

  async approve() {
    this.say('');
    try {
      const approved = await api.approveWeek(this.view.id, null);
      await this.load(this.view.id);
      this.say(t('week.approved', { days: approved.length }));
    } catch (exc) {
      this.say(errorText(exc), true);
    }
  }

  async loadFits() {
    const list = $('week-fits');
    list.replaceChildren(el('li', { className: 'muted', textContent: t('week.fits_loading') }));
    try {
      const fits = await api.queuedFits(this.view.id);
      list.replaceChildren(...fits.map((f) => el('li', {
        className: f.options[0] ? 'fit' : 'nofit', textContent: fitText(f), dataset: { client: f.client_id },
      })));
      if (!fits.length) list.replaceChildren(el('li', { className: 'muted', textContent: t('week.fits_none') }));
    } catch (exc) {
      list.replaceChildren(el('li', { className: 'bad', textContent: errorText(exc) }));
    }
  }
}
