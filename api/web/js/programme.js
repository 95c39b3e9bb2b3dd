// A client's care programme: the editor (services from the office's catalogue, each with its
// recurrence chosen in words, the validity period), its versions with approval by the head of
// department (a saved change is a draft, never planned until approved), and the printable
// programme (?plan=ID&print=1).
import * as api from './api.js';
import { errorText, initI18n, lang, mountLangSwitch, t, today } from './i18n.js';
import { el as h } from './dom.js';

const $ = (id) => document.getElementById(id);
const KINDS = ['daily', 'weekdays', 'every', 'weekly', 'monthly', 'custom'];


function fmtDay(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(lang() === 'ru' ? 'ru-RU' : 'en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

const fmtInstant = (iso) => (iso ? fmtDay(new Intl.DateTimeFormat('en-CA').format(new Date(iso))) : '');
const words = (line) => (lang() === 'ru' ? line.recurrence_ru : line.recurrence_en) || line.recurrence;

function showError(exc) {
  const box = $('page-error');
  box.hidden = !exc;
  if (exc) box.textContent = errorText(exc);
}

// A stored rule as the editor's choice; rules with options or dates stay as typed ("custom").
function ruleToChoice(rule) {
  if (!rule) return { kind: 'weekdays', days: [1], n: 1, text: '' };
  if (rule === 'daily') return { kind: 'daily', days: [], n: 1, text: rule };
  const m = /^(weekdays|every|weekly|monthly):([\d,]+)$/.exec(rule);
  if (!m) return { kind: 'custom', days: [], n: 1, text: rule };
  if (m[1] === 'weekdays') return { kind: 'weekdays', days: m[2].split(',').map(Number), n: 1, text: rule };
  return { kind: m[1], days: [], n: Number(m[2]), text: rule };
}

function choiceToRule(choice) {
  if (choice.kind === 'daily') return 'daily';
  if (choice.kind === 'weekdays') return `weekdays:${[...choice.days].sort().join(',')}`;
  if (choice.kind === 'custom') return choice.text.trim();
  return `${choice.kind}:${choice.n}`;
}

class Editor {
  constructor(user, clientId) {
    this.user = user;
    this.clientId = clientId;
    this.lines = [];
    this.timers = new Map();
  }

  async load() {
    const [client, versions] = await Promise.all([
      api.client(this.clientId), api.programmeVersions(this.clientId),
    ]);
    this.client = client;
    this.versions = versions;
    const catalogue = await api.services(client.office_id);
    this.services = (catalogue.items ?? catalogue).filter((s) => s.active);
    this.canEdit = this.user.role === 'admin'
      || (this.user.role === 'supervisor' && this.user.office_ids.includes(client.office_id));
    // The version the editor starts from: the draft being prepared, else the one in force.
    this.current = versions.find((v) => v.status === 'draft')
      ?? versions.find((v) => v.status === 'approved') ?? versions[0] ?? null;
  }

  render() {
    $('prog-editor').hidden = false;
    $('prog-client').textContent = this.client.full_name;
    $('prog-address').textContent = this.client.address;
    $('prog-back').href = `/supervisor/?office=${this.client.office_id}&tab=clients`;
    $('prog-versions').replaceChildren(...this.versions.map((v) => h('li', { 'data-version': v.id },
      h('span', {}, t('prog.version', { n: v.version }), ' ',
        h('span', { class: `badge ${v.status}`, text: t(`prog.status.${v.status}`) }), ' ',
        h('span', { class: 'small muted', text: `${fmtDay(v.valid_from)} — ${v.valid_to ? fmtDay(v.valid_to) : t('prog.open_ended')}` }),
        v.approved_at ? h('span', { class: 'small muted', text: ` · ${t('prog.approved_by', { who: v.approved_by_name || '', date: fmtInstant(v.approved_at) })}` }) : null),
      h('a', { href: `/supervisor/programme?client=${this.clientId}&plan=${v.id}&print=1`, class: 'small', text: t('prog.print') }))));
    if (!this.versions.length) $('prog-versions').append(h('li', { class: 'muted', text: t('prog.none') }));
    const cur = this.current;
    $('prog-draft-note').hidden = cur?.status !== 'draft';
    $('prog-number').value = cur?.number ?? '';
    $('prog-from').value = cur?.valid_from ?? today();
    $('prog-to').value = cur?.valid_to ?? '';
    this.lines = (cur?.lines ?? []).map((ln) => ({ service_id: ln.service_id, ...ruleToChoice(ln.recurrence) }));
    if (!this.lines.length) this.lines.push({ service_id: this.services[0]?.id, ...ruleToChoice(null) });
    this.renderLines();
    for (const el of document.querySelectorAll('#prog-form input, #prog-form select, #prog-form button')) el.disabled = !this.canEdit;
    $('prog-approve').hidden = !(this.canEdit && cur?.status === 'draft');
    $('prog-close').hidden = $('prog-close-box').hidden = !(this.canEdit && cur?.status === 'approved');
    $('prog-last-day').value = today();
    $('prog-print').onclick = () => {
      if (cur) location.assign(`/supervisor/programme?client=${this.clientId}&plan=${cur.id}&print=1`);
    };
    $('prog-print').disabled = !cur;
  }

  renderLines() {
    $('prog-lines').replaceChildren(...this.lines.map((line, index) => this.lineRow(line, index)));
  }

  lineRow(line, index) {
    const service = h('select', { 'aria-label': t('prog.service'), class: 'prog-service' },
      this.services.map((s) => new Option(`${s.code} ${s.name} (${t('prog.minutes', { n: s.standard_minutes })})`, s.id, false, s.id === line.service_id)));
    service.addEventListener('change', () => { line.service_id = Number(service.value); });
    const kind = h('select', { 'aria-label': t('prog.how_often'), class: 'prog-kind' },
      KINDS.map((k) => new Option(t(`prog.kind.${k}`), k, false, k === line.kind)));
    const n = h('input', { type: 'number', min: 1, max: 366, value: line.n, class: 'prog-n', 'aria-label': t('prog.n') });
    const text = h('input', { type: 'text', value: line.text, class: 'prog-rule', 'aria-label': t('prog.rule') });
    const days = h('div', { class: 'days' }, [1, 2, 3, 4, 5, 6, 7].map((d) => {
      const box = h('input', { type: 'checkbox', value: d, 'data-day': d });
      box.checked = line.days.includes(d);
      box.addEventListener('change', () => {
        line.days = box.checked ? [...new Set([...line.days, d])] : line.days.filter((x) => x !== d);
        this.describe(line, index);
      });
      return h('label', {}, box, t(`prog.day.${d}`));
    }));
    const detail = h('div', { class: 'prog-detail' });
    const showDetail = () => {
      detail.replaceChildren(line.kind === 'weekdays' ? days
        : line.kind === 'custom' ? text
          : line.kind === 'daily' ? '' : n);
    };
    kind.addEventListener('change', () => { line.kind = kind.value; showDetail(); this.describe(line, index); });
    n.addEventListener('input', () => { line.n = Number(n.value) || 1; this.describe(line, index); });
    text.addEventListener('input', () => { line.text = text.value; this.describe(line, index); });
    showDetail();
    const remove = h('button', { type: 'button', class: 'danger', 'aria-label': t('prog.remove'),
      onclick: () => { this.lines.splice(index, 1); this.renderLines(); } }, '×');
    const row = h('div', { class: 'prog-line', 'data-line': index }, service, kind, detail,
      h('span', { class: 'words', id: `prog-words-${index}` }), remove);
    this.describe(line, index);
    return row;
  }

  // The rule in words, in the page's language, from the server (the one home of the labels).
  describe(line, index) {
    clearTimeout(this.timers.get(index));
    this.timers.set(index, setTimeout(async () => {
      const out = $(`prog-words-${index}`);
      if (!out) return;
      const rule = choiceToRule(line);
      try {
        const said = await api.recurrenceWords(rule);
        out.textContent = lang() === 'ru' ? said.ru : said.en;
        out.classList.remove('error');
      } catch (exc) {
        out.textContent = exc.body?.errors?.[0]?.message || errorText(exc);
        out.classList.add('error');
      }
    }, 150));
  }

  async save(event) {
    event.preventDefault();
    showError(null);
    $('prog-saved').hidden = true;
    const body = {
      number: $('prog-number').value.trim(),
      valid_from: $('prog-from').value,
      valid_to: $('prog-to').value || null,
      lines: this.lines.map((line) => ({ service_id: line.service_id, recurrence: choiceToRule(line) })),
    };
    try {
      const saved = await api.saveProgramme(this.clientId, body);
      await this.reload();
      $('prog-saved').textContent = t('prog.saved', { n: saved.version });
      $('prog-saved').hidden = false;
    } catch (exc) {
      showError(exc);
    }
  }

  async approve() {
    showError(null);
    try {
      await api.approveProgramme(this.current.id);
      await this.reload();
      $('prog-saved').textContent = t('prog.approved_note');
      $('prog-saved').hidden = false;
    } catch (exc) {
      showError(exc);
    }
  }

  async close() {
    showError(null);
    try {
      await api.closeProgramme(this.current.id, $('prog-last-day').value);
      await this.reload();
    } catch (exc) {
      showError(exc);
    }
  }

  async reload() {
    await this.load();
    this.render();
  }
}

async function printView(planId) {
  const plan = await api.programme(planId);
  const client = await api.client(plan.client_id);
  const office = await api.office(client.office_id).catch(() => null);
  const total = plan.lines.reduce((sum, ln) => sum + ln.standard_minutes, 0);
  const doc = $('prog-document');
  $('prog-back').href = `/supervisor/programme?client=${client.id}`;
  const approval = plan.status === 'draft'
    ? h('p', { class: 'stamp draft', id: 'prog-stamp', text: t('prog.print_draft') })
    : h('p', { class: 'stamp', id: 'prog-stamp',
      text: t('prog.print_approved', { who: plan.approved_by_name || '', date: fmtInstant(plan.approved_at) })
        + (plan.status === 'closed' ? ` · ${t('prog.status.closed')}` : '') });
  doc.replaceChildren(
    h('div', { class: 'toolbar no-print' }, h('button', { class: 'primary', id: 'prog-do-print', onclick: () => window.print() }, t('prog.print'))),
    h('p', { class: 'small', text: office ? [office.centre, office.name].filter(Boolean).join(' · ') : '' }),
    h('h1', { text: t('prog.print_title', { number: plan.number || '—' }) }),
    h('p', {}, h('b', { text: t('prog.recipient') }), ' ', client.full_name,
      client.birth_date ? `, ${fmtDay(client.birth_date)}` : ''),
    h('p', {}, h('b', { text: t('prog.address') }), ' ', client.address),
    h('p', {}, h('b', { text: t('prog.validity') }), ' ',
      `${fmtDay(plan.valid_from)} — ${plan.valid_to ? fmtDay(plan.valid_to) : t('prog.open_ended')}`,
      ` · ${t('prog.version', { n: plan.version })}`),
    h('table', {},
      h('thead', {}, h('tr', {}, ['№', t('prog.col_code'), t('prog.col_service'), t('prog.col_how_often'), t('prog.col_minutes')].map((c) => h('th', { text: c })))),
      h('tbody', {}, plan.lines.map((ln, i) => h('tr', {},
        h('td', { text: i + 1 }), h('td', { text: ln.service_code }), h('td', { text: ln.service_name }),
        h('td', { text: words(ln) }), h('td', { text: ln.standard_minutes })))),
      h('tfoot', {}, h('tr', {}, h('td', { colspan: 4, text: t('prog.col_total') }), h('td', { text: total })))),
    approval,
    h('div', { class: 'sign' }, h('div', { text: t('prog.sign_head') }), h('div', { text: t('prog.sign_client') })));
  doc.hidden = false;
  document.title = `${t('prog.print_title', { number: plan.number || '' })} — ${client.full_name}`;
}

if (!api.storedRole()) location.replace('/');
const cfg = await api.config().catch(() => ({}));
let user;
try {
  user = await api.me();
} catch {
  api.logout();
}
if (user.role === 'worker') location.replace(api.homeOf(user.role));
await initI18n({ userLocale: user.locale, defaultLocale: cfg.default_locale, zone: cfg.timezone });
mountLangSwitch($('lang'));
const params = new URLSearchParams(location.search);
try {
  if (params.get('print') && params.get('plan')) {
    await printView(Number(params.get('plan')));
  } else {
    const editor = new Editor(user, Number(params.get('client')));
    await editor.load();
    editor.render();
    $('prog-form').addEventListener('submit', (e) => editor.save(e));
    $('prog-add').addEventListener('click', () => {
      editor.lines.push({ service_id: editor.services[0]?.id, ...ruleToChoice(null) });
      editor.renderLines();
    });
    $('prog-approve').addEventListener('click', () => editor.approve());
    $('prog-close').addEventListener('click', () => editor.close());
  }
} catch (exc) {
  showError(exc);
}
document.body.dataset.ready = '1';
