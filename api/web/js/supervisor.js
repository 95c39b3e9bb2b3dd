// The supervisor's workplace: office and date, a map, and its tabs (zones, plan, the day, the
// day's events, a past day replayed, the review of visits).
import * as api from './api.js';
import {
  errorText, fmtShortDate, initI18n, mountLangSwitch, t, today, translateDom,
} from './i18n.js';
import { createMap } from './sv_map.js';
import { ZonesTab } from './sv_zones.js';
import { PlanTab } from './sv_plan.js';
import { LiveTab } from './sv_live.js';
import { ReviewTab } from './sv_review.js';
import { EventsTab } from './sv_events.js';
import { ReplayTab } from './sv_replay.js';
import { WeekTab } from './sv_week.js';
import { ClientsTab } from './sv_clients.js';

const $ = (id) => document.getElementById(id);

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
$('user-name').textContent = user.full_name || user.username;
$('logout').addEventListener('click', api.logout);
$('reports-link').hidden = false; // heads of department read their own offices' reports

function showError(exc) {
  const box = $('page-error');
  if (!exc) {
    box.hidden = true;
    return;
  }
  box.textContent = errorText(exc);
  box.hidden = false;
}

async function loadOffices() {
  try {
    const rows = await api.offices();
    return (rows.items ?? rows).map((o) => ({ id: o.id, name: o.name }));
  } catch {
    // The registry list is not reachable: the login's own offices are enough to work.
    return user.office_ids.map((id) => ({ id, name: t('office.numbered', { id }) }));
  }
}

const offices = await loadOffices();
const officeSelect = $('office');
officeSelect.replaceChildren(...offices.map((o) => new Option(o.name, o.id)));
const params = new URLSearchParams(location.search);
if (params.get('office')) officeSelect.value = params.get('office');
$('day').value = params.get('day') || today();

// Editing is for the office's supervisor and for admins; the API refuses the others anyway.
function canEdit(officeId) {
  if (user.role === 'admin') return true;
  return user.role === 'supervisor' && user.office_ids.includes(officeId);
}

const ctx = {
  map: createMap($('map'), cfg),
  officeId: () => Number(officeSelect.value),
  day: () => $('day').value,
  canEdit: () => canEdit(Number(officeSelect.value)),
  showError,
  openTab: async (name) => {
    const shown = showTab(name);
    remember();
    await shown;
  },
};

// The live tab is "Today" only on today; on another date it is named after that date.
function nameLiveTab() {
  const day = $('day').value;
  $('tab-live').textContent = day === today() ? t('tab.live_today') : t('tab.live_day', { date: fmtShortDate(day) });
}
const tabs = {
  zones: new ZonesTab(ctx), plan: new PlanTab(ctx), live: new LiveTab(ctx),
  events: new EventsTab(ctx), replay: new ReplayTab(ctx), week: new WeekTab(ctx),
  clients: new ClientsTab(ctx),
  review: new ReviewTab(ctx),
};
let currentTab = params.get('tab') || 'zones';

function applyRole() {
  const editable = ctx.canEdit();
  for (const el of document.querySelectorAll('.edit-only')) el.hidden = !editable;
  $('readonly-note').hidden = editable;
}

async function showTab(name) {
  currentTab = name;
  for (const b of document.querySelectorAll('#tabs button')) {
    b.classList.toggle('active', b.dataset.tab === name);
  }
  for (const panel of document.querySelectorAll('[data-panel]')) {
    panel.hidden = panel.dataset.panel !== name;
  }
  for (const [key, tab] of Object.entries(tabs)) if (key !== name) tab.hide();
  showError(null);
  await tabs[name].show();
}

function remember() {
  const url = new URL(location.href);
  url.searchParams.set('office', officeSelect.value);
  url.searchParams.set('day', $('day').value);
  url.searchParams.set('tab', currentTab);
  history.replaceState(null, '', url);
}

for (const b of document.querySelectorAll('#tabs button')) {
  b.addEventListener('click', () => {
    showTab(b.dataset.tab);
    remember();
  });
}
officeSelect.addEventListener('change', async () => {
  applyRole();
  for (const tab of Object.values(tabs)) tab.reset();
  await ctx.map.showOffice(ctx.officeId());
  await showTab(currentTab);
  remember();
});
$('day').addEventListener('change', async () => {
  nameLiveTab();
  for (const tab of Object.values(tabs)) tab.reset();
  await showTab(currentTab);
  remember();
});

translateDom();
nameLiveTab();
applyRole();
await ctx.map.showOffice(ctx.officeId());
await showTab(currentTab);
document.body.dataset.ready = '1';
