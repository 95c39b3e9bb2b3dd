// Devices of a worker: issue a token for the phone's GPS app (shown once), bind the
// identifier Traccar Client / OwnTracks sends, revoke, and see the last contact.
import * as api from './api.js';
import { lang, t } from './i18n.js';
import { $, clearErrors, el, fmtWhen, formError, say } from './dom.js';

export class DevicesTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.workers = [];
    $('device-worker').addEventListener('change', () => this.load().catch(ctx.showError));
    $('device-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.issue();
    });
    $('token-hide').addEventListener('click', () => {
      $('device-token').textContent = '';
      $('token-box').hidden = true;
    });
  }

  reset() {
    this.workers = [];
    $('token-box').hidden = true;
    $('device-token').textContent = '';
  }

  workerId() {
    return Number($('device-worker').value);
  }

  async show() {
    const page = await api.workers(this.ctx.officeId());
    this.workers = page.items.filter((w) => w.active);
    const select = $('device-worker');
    const kept = select.value;
    select.replaceChildren(...this.workers.map((w) => new Option(w.full_name, w.id)));
    if (kept && this.workers.some((w) => String(w.id) === kept)) select.value = kept;
    $('device-issue').disabled = !this.workers.length;
    await this.load();
  }

  async load() {
    if (!this.workerId()) {
      $('devices').replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('dev.no_workers'))));
      return;
    }
    const rows = await api.call('GET', `/api/workers/${this.workerId()}/devices`);
    const editable = this.ctx.canEdit();
    $('devices').replaceChildren(...rows.map((d) => {
      const bindInput = el('input', { name: 'external_id', value: d.external_id ?? '', maxlength: 80, 'aria-label': t('dev.identifier'), size: 14 });
      return el('tr', { 'data-device-id': d.id, class: d.revoked ? 'inactive' : '' },
        el('td', {}, d.name || t('dev.unnamed')),
        el('td', {}, t(`dev.platform.${d.platform}`)),
        el('td', {}, editable && !d.revoked ? [bindInput, ' ',
          el('button', { type: 'button', 'data-action': 'bind', onclick: () => this.bind(d, bindInput.value.trim()) }, t('dev.bind'))] : d.external_id ?? ''),
        el('td', {}, fmtWhen(d.created_at, lang())),
        el('td', { class: 'last-contact' }, d.last_seen_at ? fmtWhen(d.last_seen_at, lang()) : t('dev.never')),
        el('td', { class: 'state' }, t(d.revoked ? 'dev.revoked' : 'dev.active')),
        el('td', { class: 'actions' }, editable && !d.revoked
          ? el('button', { type: 'button', class: 'danger', 'data-action': 'revoke', onclick: () => this.revoke(d) }, t('dev.revoke')) : null));
    }));
    if (!rows.length) $('devices').append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, t('dev.none'))));
  }

  async issue() {
    const form = $('device-form');
    clearErrors(form);
    const body = { name: form.name.value.trim(), platform: form.platform.value, external_id: form.external_id.value.trim() || null };
    try {
      const device = await api.call('POST', `/api/workers/${this.workerId()}/devices`, { body });
      form.name.value = '';
      form.external_id.value = '';
      say($('device-msg'), null);
      $('device-token').textContent = device.token;
      $('device-howto').textContent = t(`dev.howto.${device.platform}`, { url: location.origin });
      $('token-box').hidden = false;
      await this.load();
    } catch (exc) {
      formError(form, $('device-msg'), exc);
    }
  }

  async bind(device, externalId) {
    this.ctx.showError(null);
    try {
      await api.call('PATCH', `/api/devices/${device.id}`, { body: { external_id: externalId || null } });
      await this.load();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  async revoke(device) {
    this.ctx.showError(null);
    try {
      await api.call('POST', `/api/devices/${device.id}/revoke`);
      await this.load();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }
}
