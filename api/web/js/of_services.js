// The service catalogue: code, name, standard minutes, skill, category, level; edit in the
// form beside the table; take a service out of use (care programmes keep their history).
import * as api from './api.js';
import { t } from './i18n.js';
import { $, clearErrors, el, formError, say } from './dom.js';

export class ServicesTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = [];
    const form = $('service-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    $('service-cancel').addEventListener('click', () => this.edit(null));
    $('svc-inactive').addEventListener('change', () => this.render());
  }

  reset() {
    this.rows = [];
    this.edit(null);
  }

  async show() {
    const page = await api.call('GET', `/api/offices/${this.ctx.officeId()}/services`, { query: { limit: 500 } });
    this.rows = page.items;
    this.render();
  }

  render() {
    const all = $('svc-inactive').checked;
    const shown = this.rows.filter((s) => all || s.active);
    const editable = this.ctx.canEdit();
    $('services').replaceChildren(...shown.map((s) => el('tr', { 'data-code': s.code, 'data-service-id': s.id, class: s.active ? '' : 'inactive' },
      el('td', {}, s.code),
      el('td', {}, s.name, s.active ? null : el('span', { class: 'badge' }, ` ${t('svc.inactive')}`)),
      el('td', { class: 'num' }, s.standard_minutes),
      el('td', {}, s.required_skill ? (t(`skill.${s.required_skill}`) !== `skill.${s.required_skill}` ? t(`skill.${s.required_skill}`) : s.required_skill) : ''),
      el('td', {}, s.category),
      el('td', { class: 'num' }, s.level),
      el('td', { class: 'actions' }, editable ? [
        el('button', { type: 'button', 'data-action': 'edit', onclick: () => this.edit(s) }, t('form.edit')),
        s.active
          ? el('button', { type: 'button', class: 'danger', 'data-action': 'deactivate', onclick: () => this.deactivate(s) }, t('svc.deactivate'))
          : el('button', { type: 'button', 'data-action': 'activate', onclick: () => this.patch(s, { active: true }) }, t('svc.activate')),
      ] : null))));
    if (!shown.length) $('services').append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('svc.none'))));
    $('skills').replaceChildren(...['medical', 'dementia', 'bedridden', 'driving', 'sign_language'].map((s) => el('option', { value: s }, t(`skill.${s}`))));
    $('categories').replaceChildren(...[...new Set(this.rows.map((s) => s.category).filter(Boolean))].map((c) => el('option', { value: c })));
  }

  edit(service) {
    const form = $('service-form');
    clearErrors(form);
    say($('service-msg'), null);
    form.reset();
    form.id.value = service?.id ?? '';
    if (service) {
      for (const key of ['code', 'name', 'standard_minutes', 'category', 'level']) form[key].value = service[key];
      form.required_skill.value = service.required_skill ?? '';
    }
    $('service-form-title').textContent = t(service ? 'svc.edit' : 'svc.new');
    $('service-cancel').hidden = !service;
  }

  async save() {
    const form = $('service-form');
    clearErrors(form);
    const body = {
      code: form.code.value.trim(),
      name: form.name.value.trim(),
      standard_minutes: Number(form.standard_minutes.value) || null,
      required_skill: form.required_skill.value.trim() || null,
      category: form.category.value.trim(),
      level: Number(form.level.value) || 1,
    };
    const id = form.id.value;
    try {
      const saved = id
        ? await api.call('PATCH', `/api/services/${id}`, { body })
        : await api.call('POST', `/api/offices/${this.ctx.officeId()}/services`, { body });
      this.edit(null);
      say($('service-msg'), t('svc.saved', { code: saved.code }), 'good');
      await this.show();
    } catch (exc) {
      formError(form, $('service-msg'), exc);
    }
  }

  async deactivate(service) {
    try {
      await api.call('DELETE', `/api/services/${service.id}`);
      await this.show();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  async patch(service, body) {
    try {
      await api.call('PATCH', `/api/services/${service.id}`, { body });
      await this.show();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }
}
