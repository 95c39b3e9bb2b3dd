// The administrator's page: the organisation (regions, the centres' departments), the logins
// (create with a one-time code shown once, disable, new code, last login) and the audit log.
import * as api from './api.js';
import { errorText, lang, t, translateDom } from './i18n.js';
import { $, el, fmtWhen, formError, clearErrors, say } from './dom.js';
import { mountTabs, startPage } from './shell.js';

const { user: me } = await startPage({ roles: ['admin'] });

let regions = [];
let offices = [];
let users = [];

const pageError = (exc) => say($('page-error'), exc ? errorText(exc) : null, 'bad');
const number = (text) => (String(text).trim() === '' ? null : Number(String(text).replace(',', '.')));

// --- the organisation ----------------------------------------------------------------------

async function loadOrg() {
  [regions, offices] = await Promise.all([
    api.call('GET', '/api/regions', { query: { limit: 500 } }).then((p) => p.items),
    api.call('GET', '/api/offices', { query: { limit: 500 } }).then((p) => p.items),
  ]);
}

function regionName(id) {
  return regions.find((r) => r.id === id)?.name ?? t('region.numbered', { id });
}

function headsOf(officeId) {
  return users.filter((u) => u.role === 'supervisor' && u.office_ids.includes(officeId));
}

function renderOrg() {
  $('regions').replaceChildren(
    ...regions.map((r) => el('li', { 'data-region-id': r.id }, r.name,
      el('span', { class: 'muted small' }, ` · ${t('org.office_count', { n: offices.filter((o) => o.region_id === r.id).length })}`))),
  );
  if (!regions.length) $('regions').append(el('li', { class: 'muted' }, t('org.no_regions')));
  const sorted = [...offices].sort((a, b) => regionName(a.region_id).localeCompare(regionName(b.region_id))
    || a.centre.localeCompare(b.centre) || a.name.localeCompare(b.name));
  $('offices').replaceChildren(
    ...sorted.map((o) => el('tr', { 'data-office-id': o.id },
      el('td', {}, regionName(o.region_id)),
      el('td', {}, o.centre),
      el('td', {}, el('a', { href: `/office/?office=${o.id}` }, o.name)),
      el('td', {}, o.address),
      el('td', {}, headsOf(o.id).map((u) => u.full_name || u.username).join(', ')))),
  );
  if (!offices.length) $('offices').append(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, t('org.no_offices'))));
  const select = $('office-form').region_id;
  const kept = select.value;
  select.replaceChildren(...regions.map((r) => new Option(r.name, r.id)));
  if (kept) select.value = kept;
  $('centres').replaceChildren(...[...new Set(offices.map((o) => o.centre).filter(Boolean))].map((c) => el('option', { value: c })));
  renderUserPlaces();
}

$('region-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  try {
    const region = await api.call('POST', '/api/regions', { body: { name: form.name.value.trim() } });
    form.reset();
    say($('region-msg'), t('org.region_added', { name: region.name }), 'good');
    await loadOrg();
    renderOrg();
    $('office-form').region_id.value = String(region.id);
  } catch (exc) {
    formError(form, $('region-msg'), exc);
  }
});

$('office-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const lon = number(form.lon.value);
  const lat = number(form.lat.value);
  if ((lon === null) !== (lat === null) || Number.isNaN(lon) || Number.isNaN(lat)) {
    form[lon === null || Number.isNaN(lon) ? 'lon' : 'lat'].setAttribute('aria-invalid', 'true');
    say($('office-msg'), t('form.lonlat'), 'bad');
    return;
  }
  const body = {
    region_id: Number(form.region_id.value) || null,
    centre: form.centre.value.trim(),
    name: form.name.value.trim(),
    address: form.address.value.trim(),
    location: lon === null ? null : { lon, lat },
  };
  try {
    const office = await api.call('POST', '/api/offices', { body });
    form.name.value = '';
    form.address.value = '';
    form.lon.value = '';
    form.lat.value = '';
    say($('office-msg'), t('org.office_added', { name: office.name }), 'good');
    await loadOrg();
    renderOrg();
  } catch (exc) {
    formError(form, $('office-msg'), exc);
  }
});

// --- logins --------------------------------------------------------------------------------

let workers = []; // every office's worker records, for binding a field worker's login

async function loadUsers() {
  users = await api.call('GET', '/api/users');
  renderUsers();
  // Worker records name a field worker's login and fill the form's choice; an office whose
  // list does not come leaves only its own workers out.
  const lists = await Promise.allSettled(offices.map((o) => api.workers(o.id).then((p) => p.items)));
  workers = lists.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}

function placeOf(u) {
  if (u.role === 'manager') return regionName(u.region_id);
  if (u.role === 'supervisor') {
    return u.office_ids.map((id) => offices.find((o) => o.id === id)?.name ?? t('office.numbered', { id })).join(', ');
  }
  if (u.role === 'worker' && u.worker_id) {
    const w = workers.find((x) => x.id === u.worker_id);
    const office = offices.find((o) => o.id === w?.office_id);
    return w ? `${w.full_name} (${office?.name ?? ''})` : t('worker.numbered', { id: u.worker_id });
  }
  return '';
}

function renderUsers() {
  $('users').replaceChildren(...users.map((u) => {
    const toggle = el('button', {
      type: 'button', class: u.active ? 'danger' : '', 'data-action': u.active ? 'disable' : 'enable',
      disabled: u.id === me.id, onclick: () => setActive(u, !u.active),
    }, t(u.active ? 'users.disable' : 'users.enable'));
    const code = el('button', { type: 'button', 'data-action': 'reset-code', onclick: () => newCode(u) }, t('users.reset_code'));
    return el('tr', { 'data-username': u.username, 'data-user-id': u.id, class: u.active ? '' : 'inactive' },
      el('td', {}, u.username),
      el('td', {}, u.full_name),
      el('td', {}, t(`role.${u.role}`)),
      el('td', {}, placeOf(u)),
      el('td', { class: 'state' }, t(u.active ? 'users.active' : 'users.disabled')),
      el('td', { class: 'last-login' }, u.last_login_at ? fmtWhen(u.last_login_at, lang()) : t('users.never')),
      el('td', { class: 'actions' }, toggle, code));
  }));
}

async function setActive(u, active) {
  pageError(null);
  try {
    await api.call('PATCH', `/api/users/${u.id}`, { body: { active } });
    users = await api.call('GET', '/api/users');
    renderUsers();
  } catch (exc) {
    pageError(exc);
  }
}

async function newCode(u) {
  pageError(null);
  try {
    const answer = await api.call('POST', `/api/users/${u.id}/reset-code`);
    showCode(u.username, answer.code);
  } catch (exc) {
    pageError(exc);
  }
}

function showCode(username, code) {
  $('code-for').textContent = t('users.code_for', { username });
  $('one-time-code').textContent = code;
  $('code-box').hidden = false;
}
$('code-hide').addEventListener('click', () => {
  $('one-time-code').textContent = '';
  $('code-box').hidden = true;
});

// The form asks only what the chosen role needs: offices, a region or a worker record.
function renderUserPlaces() {
  const form = $('user-form');
  const role = form.role.value;
  for (const part of form.querySelectorAll('[data-for]')) part.hidden = part.dataset.for !== role;
  $('user-offices').replaceChildren(...offices.map((o) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'office_ids', value: o.id }), ` ${o.name}`)));
  form.region_id.replaceChildren(...regions.map((r) => new Option(r.name, r.id)));
  const free = workers.filter((w) => w.user_id === null && w.active);
  form.worker_id.replaceChildren(
    new Option(t(free.length ? 'users.pick_worker' : 'users.no_free_workers'), ''),
    ...free.map((w) => new Option(`${w.full_name} — ${offices.find((o) => o.id === w.office_id)?.name ?? ''}`, w.id)),
  );
}
$('user-form').role.addEventListener('change', renderUserPlaces);

$('user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  const role = form.role.value;
  const body = { username: form.username.value.trim(), full_name: form.full_name.value.trim(), role };
  if (role === 'supervisor') body.office_ids = [...form.querySelectorAll('[name=office_ids]:checked')].map((c) => Number(c.value));
  if (role === 'manager') body.region_id = Number(form.region_id.value) || null;
  if (role === 'worker') body.worker_id = Number(form.worker_id.value) || null;
  try {
    const answer = await api.call('POST', '/api/users', { body });
    form.username.value = '';
    form.full_name.value = '';
    say($('user-msg'), t('users.created', { username: answer.user.username }), 'good');
    showCode(answer.user.username, answer.code);
    await loadUsers();
    renderUsers();
    renderUserPlaces();
    renderOrg();
  } catch (exc) {
    formError(form, $('user-msg'), exc);
  }
});

// --- the audit log -------------------------------------------------------------------------

// A change as the user reads it: the field's name from the catalogue, values plainly.
function valueText(field, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no');
  if (Array.isArray(value)) return value.length ? value.map((v) => valueText(field, v)).join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  const prefix = { role: 'role', platform: 'dev.platform', travel_mode: 'travel' }[field];
  if (prefix && t(`${prefix}.${value}`) !== `${prefix}.${value}`) return t(`${prefix}.${value}`);
  return String(value);
}

function changesText(changes) {
  return Object.entries(changes ?? {}).map(([field, change]) => {
    const label = t(`field.${field}`) !== `field.${field}` ? t(`field.${field}`) : field;
    if (change && typeof change === 'object' && 'to' in change) {
      return `${label}: ${valueText(field, change.from)} → ${valueText(field, change.to)}`;
    }
    return `${label}: ${valueText(field, change)}`;
  }).join('; ');
}

async function loadAudit() {
  const page = await api.call('GET', '/api/audit', { query: { entity: $('audit-entity').value, limit: 100 } });
  $('audit').replaceChildren(...page.items.map((a) => el('tr', { 'data-entity': a.entity, 'data-action': a.action },
    el('td', {}, fmtWhen(a.at, lang())),
    el('td', {}, a.username ?? t('audit.system')),
    el('td', {}, t(`audit.do.${a.action}`) !== `audit.do.${a.action}` ? t(`audit.do.${a.action}`) : a.action),
    el('td', {}, `${t(`audit.entity.${a.entity}`) !== `audit.entity.${a.entity}` ? t(`audit.entity.${a.entity}`) : a.entity} №${a.entity_id}`),
    el('td', { class: 'small changes' }, changesText(a.changes)))));
}
$('audit-entity').addEventListener('change', () => loadAudit().catch(pageError));

// --- start ---------------------------------------------------------------------------------

translateDom();
try {
  await loadOrg();
  await loadUsers();
} catch (exc) {
  pageError(exc);
}
renderOrg();
renderUsers();
await mountTabs(async (name) => {
  pageError(null);
  if (name === 'audit') await loadAudit().catch(pageError);
});
document.body.dataset.ready = '1';
