// Workers: the weekly shift template (one row per weekday, with the lunch window and its
// minutes), travel mode, skills, start point; vacations and sick leave.
import * as api from './api.js';
import { fmtShortDate, t } from './i18n.js';
import { $, clearErrors, el, formError, say } from './dom.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const hhmm = (value) => (value ? String(value).slice(0, 5) : '');

export class WorkersTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = [];
    this.editing = null;
    $('shift-rows').replaceChildren(...WEEKDAYS.map((d) => el('tr', { 'data-weekday': d },
      el('td', {}, el('label', { class: 'check' }, el('input', { type: 'checkbox', name: `on${d}`, 'aria-label': t(`weekday.${d}`) }), ` ${t(`weekday.${d}`)}`)),
      ...['start', 'end', 'lunch_from', 'lunch_to'].map((f) => el('td', {}, el('input', { type: 'time', name: `${f}${d}`, 'aria-label': `${t(`weekday.${d}`)} ${t(`wk.${f === 'start' ? 'from' : f === 'end' ? 'to' : f}`)}` }))),
      el('td', {}, el('input', { type: 'number', name: `lunch_minutes${d}`, min: 0, max: 120, 'aria-label': `${t(`weekday.${d}`)} ${t('wk.lunch_minutes')}` })))));
    $('worker-new').addEventListener('click', () => this.open(null));
    $('worker-cancel').addEventListener('click', () => this.close());
    $('worker-deactivate').addEventListener('click', () => this.deactivate());
    $('copy-monday').addEventListener('click', () => this.copyMonday());
    $('worker-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    $('absence-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.addAbsence();
    });
  }

  reset() {
    this.rows = [];
    this.close();
  }

  async show() {
    const page = await api.workers(this.ctx.officeId());
    this.rows = page.items;
    this.render();
  }

  shiftText(w) {
    if (!w.shifts.length) return t('wk.no_shifts');
    return w.shifts.map((s) => `${t(`weekday.short.${s.weekday}`)} ${hhmm(s.start)}–${hhmm(s.end)}`
      + (s.lunch_minutes ? ` (${t('wk.lunch_short', { minutes: s.lunch_minutes })})` : '')).join(', ');
  }

  render() {
    const editable = this.ctx.canEdit();
    $('workers').replaceChildren(...this.rows.map((w) => el('tr', {
      'data-worker-id': w.id, class: [w.active ? '' : 'inactive', this.editing?.id === w.id ? 'selected' : ''].join(' ').trim(),
    },
    el('td', {}, w.full_name, w.active ? null : el('span', { class: 'badge' }, ` ${t('wk.inactive')}`)),
    el('td', {}, t(`travel.${w.travel_mode}`)),
    el('td', {}, w.skills.map((s) => (t(`skill.${s}`) !== `skill.${s}` ? t(`skill.${s}`) : s)).join(', ')),
    el('td', { class: 'small' }, this.shiftText(w)),
    el('td', { class: 'small' }, w.absences.map((a) => `${fmtShortDate(a.date_from)}–${fmtShortDate(a.date_to)} ${a.reason}`).join('; ')),
    el('td', {}, w.user_id ? t('wk.has_login') : t('wk.no_login')),
    el('td', { class: 'actions' }, editable ? el('button', { type: 'button', 'data-action': 'edit', onclick: () => this.open(w) }, t('form.edit')) : null))));
    if (!this.rows.length) $('workers').append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('wk.none'))));
  }

  open(worker) {
    this.editing = worker;
    const form = $('worker-form');
    form.reset();
    clearErrors(form);
    say($('worker-msg'), null);
    $('worker-card').hidden = false;
    $('worker-form-title').textContent = worker ? worker.full_name : t('wk.new');
    form.id.value = worker?.id ?? '';
    $('worker-deactivate').hidden = !worker || !worker.active;
    $('absence-box').hidden = !worker;
    if (worker) {
      form.full_name.value = worker.full_name;
      form.phone.value = worker.phone;
      form.travel_mode.value = worker.travel_mode;
      form.skills.value = worker.skills.join(', ');
      form.weekly_hours.value = worker.weekly_hours;
      form.start.value = worker.start_location ? `${worker.start_location.lat}, ${worker.start_location.lon}` : '';
      for (const s of worker.shifts) {
        const d = s.weekday;
        form[`on${d}`].checked = true;
        form[`start${d}`].value = hhmm(s.start);
        form[`end${d}`].value = hhmm(s.end);
        form[`lunch_from${d}`].value = hhmm(s.lunch_from);
        form[`lunch_to${d}`].value = hhmm(s.lunch_to);
        form[`lunch_minutes${d}`].value = s.lunch_minutes || '';
      }
      this.renderAbsences();
    }
    this.render();
    form.full_name.focus();
  }

  close() {
    this.editing = null;
    $('worker-card').hidden = true;
    if (this.rows.length) this.render();
  }

  copyMonday() {
    const form = $('worker-form');
    for (const d of [2, 3, 4, 5]) {
      form[`on${d}`].checked = form.on1.checked;
      for (const f of ['start', 'end', 'lunch_from', 'lunch_to', 'lunch_minutes']) form[`${f}${d}`].value = form[`${f}1`].value;
    }
  }

  // "55.75, 37.78" (as a map shows it: latitude first) -> {lon, lat}; '' -> null
  point(text) {
    const parts = text.split(/[,;\s]+/).filter(Boolean).map((p) => Number(p));
    if (!parts.length) return null;
    if (parts.length !== 2 || parts.some((n) => Number.isNaN(n))) return undefined;
    return { lat: parts[0], lon: parts[1] };
  }

  body() {
    const form = $('worker-form');
    const shifts = WEEKDAYS.filter((d) => form[`on${d}`].checked).map((d) => ({
      weekday: d,
      start: form[`start${d}`].value || null,
      end: form[`end${d}`].value || null,
      lunch_from: form[`lunch_from${d}`].value || null,
      lunch_to: form[`lunch_to${d}`].value || null,
      lunch_minutes: Number(form[`lunch_minutes${d}`].value) || 0,
    }));
    return {
      full_name: form.full_name.value.trim(),
      phone: form.phone.value.trim(),
      travel_mode: form.travel_mode.value,
      skills: form.skills.value.split(/[,;]/).map((s) => s.trim()).filter(Boolean),
      weekly_hours: Number(form.weekly_hours.value) || 40,
      start_location: this.point(form.start.value),
      end_location: this.point(form.start.value),
      shifts,
    };
  }

  async save() {
    const form = $('worker-form');
    clearErrors(form);
    const body = this.body();
    if (body.start_location === undefined) {
      form.start.setAttribute('aria-invalid', 'true');
      say($('worker-msg'), t('form.point'), 'bad');
      return;
    }
    const id = form.id.value;
    try {
      const saved = id
        ? await api.call('PATCH', `/api/workers/${id}`, { body })
        : await api.call('POST', `/api/offices/${this.ctx.officeId()}/workers`, { body });
      await this.show();
      this.open(saved);
      say($('worker-msg'), t('wk.saved', { name: saved.full_name }), 'good');
    } catch (exc) {
      // a shift's error names "shifts.N": the weekday's row is marked
      for (const e of exc?.body?.errors ?? []) {
        const [field, index] = String(e.field).split('.');
        if (field === 'shifts' && body.shifts[Number(index)]) {
          form[`start${body.shifts[Number(index)].weekday}`].setAttribute('aria-invalid', 'true');
        }
      }
      formError(form, $('worker-msg'), exc);
    }
  }

  async deactivate() {
    if (!this.editing) return;
    try {
      await api.call('DELETE', `/api/workers/${this.editing.id}`);
      await this.show();
      this.close();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  renderAbsences() {
    const w = this.editing;
    $('absences').replaceChildren(...w.absences.map((a) => el('li', { 'data-absence-id': a.id },
      `${fmtShortDate(a.date_from)} – ${fmtShortDate(a.date_to)}: ${a.reason} `,
      el('button', { type: 'button', class: 'danger', 'data-action': 'remove', onclick: () => this.removeAbsence(a) }, t('abs.remove')))));
    if (!w.absences.length) $('absences').append(el('li', { class: 'muted' }, t('abs.none')));
  }

  async addAbsence() {
    const form = $('absence-form');
    clearErrors(form);
    const kind = t(`abs.${form.kind.value}`);
    const note = form.note.value.trim();
    const body = { date_from: form.date_from.value || null, date_to: form.date_to.value || null, reason: note ? `${kind}: ${note}` : kind };
    try {
      this.editing = await api.call('POST', `/api/workers/${this.editing.id}/absences`, { body });
      form.reset();
      say($('absence-msg'), null);
      this.renderAbsences();
      await this.show();
    } catch (exc) {
      formError(form, $('absence-msg'), exc);
    }
  }

  async removeAbsence(absence) {
    try {
      this.editing = await api.call('DELETE', `/api/workers/${this.editing.id}/absences/${absence.id}`);
      this.renderAbsences();
      await this.show();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }
}
