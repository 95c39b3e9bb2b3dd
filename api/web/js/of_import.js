// Import: the file is checked first (nothing written) and every bad row and column shown;
// the user fixes the file and checks it again; only a file without errors can be written.
import * as api from './api.js';
import { errorText, has, t } from './i18n.js';
import { $, el, say } from './dom.js';

// A bad row's reason in the page's language when the catalogue knows its code, else the
// server's English text.
function rowMessage(e) {
  const key = `imp.err.${e.code}`;
  const params = e.params || {};
  if (e.code && has(key)) return t(key, params);
  return e.message;
}

export class ImportTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.checked = null; // the File that passed the check, and its kind
    const form = $('import-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.check();
    });
    form.kind.addEventListener('change', () => this.forget());
    form.file.addEventListener('change', () => this.forget());
    $('import-confirm').addEventListener('click', () => this.write());
  }

  reset() {
    this.forget();
  }

  async show() {}

  forget() {
    this.checked = null;
    $('import-confirm').disabled = true;
    say($('import-msg'), null);
    $('import-errors-table').hidden = true;
    $('import-errors').replaceChildren();
  }

  send(mode) {
    const form = $('import-form');
    const data = new FormData();
    data.append('file', form.file.files[0]);
    const path = `/api/offices/${this.ctx.officeId()}/imports/${form.kind.value}`;
    return api.call('POST', path, { upload: data, query: { mode } });
  }

  async check() {
    const form = $('import-form');
    this.forget();
    const file = form.file.files[0];
    if (!file) {
      form.file.setAttribute('aria-invalid', 'true');
      say($('import-msg'), t('imp.pick_file'), 'bad');
      return;
    }
    form.file.removeAttribute('aria-invalid');
    let report;
    try {
      report = await this.send('check');
    } catch (exc) {
      say($('import-msg'), exc?.body?.errors?.[0]?.field === 'file' ? t('imp.unreadable', { reason: exc.body.detail }) : errorText(exc), 'bad');
      return;
    }
    if (report.errors.length) {
      this.showErrors(report.errors);
      say($('import-msg'), t('imp.has_errors', { n: report.errors.length, rows: report.rows }), 'bad');
      return;
    }
    this.checked = { file, kind: form.kind.value };
    $('import-confirm').disabled = false;
    say($('import-msg'), t('imp.all_good', { n: report.rows }), 'good');
    $('import-confirm').focus();
  }

  showErrors(errors) {
    $('import-errors').replaceChildren(...errors.map((e) => el('tr', { 'data-row': e.row, 'data-field': e.field },
      el('td', { class: 'num' }, e.row),
      el('td', {}, t(`imp.col.${e.field}`) !== `imp.col.${e.field}` ? `${t(`imp.col.${e.field}`)} (${e.field})` : e.field),
      el('td', {}, rowMessage(e)))));
    $('import-errors-table').hidden = false;
  }

  async write() {
    const form = $('import-form');
    if (!this.checked || form.file.files[0] !== this.checked.file || form.kind.value !== this.checked.kind) {
      this.forget();
      return;
    }
    $('import-confirm').disabled = true;
    try {
      const report = await this.send('all');
      this.checked = null;
      say($('import-msg'), t('imp.written', { n: report.written }), 'good');
      form.file.value = '';
    } catch (exc) {
      if (exc?.body?.errors?.length && exc.body.errors[0].row) this.showErrors(exc.body.errors);
      say($('import-msg'), errorText(exc), 'bad');
    }
  }
}
