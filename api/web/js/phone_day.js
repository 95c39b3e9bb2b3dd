// The worker's day on this phone: who is signed in, which day is shown (today or tomorrow),
// the day's route (cached for offline use) and what was done on this phone, kept by visit.
import * as api from './api.js';
import { fmtDate, initI18n, mountLangSwitch, t, today, translateDom } from './i18n.js';

export const $ = (id) => document.getElementById(id);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
}
if (!api.storedRole()) location.replace('/');

export const cfg = await api.config().catch(() => JSON.parse(localStorage.getItem('careroute.cfg') ?? '{}'));
localStorage.setItem('careroute.cfg', JSON.stringify(cfg));
export let user = JSON.parse(localStorage.getItem('careroute.me') ?? 'null');
try {
  user = await api.me();
  localStorage.setItem('careroute.me', JSON.stringify(user));
} catch (exc) {
  if (exc.status === 401 || exc.status === 403) api.logout();
}
if (!user) api.logout();
if (user.role !== 'worker') location.replace(api.homeOf(user.role));
await initI18n({ userLocale: user.locale, defaultLocale: cfg.default_locale, zone: cfg.timezone });
mountLangSwitch($('lang'));
translateDom();

export const day = new URLSearchParams(location.search).get('day') || today();
$('worker-name').textContent = user.full_name || user.username;
$('day-label').textContent = fmtDate(day);

// Today and tomorrow, one tap apart. Visits are checked in on their own day only: an event
// belongs to the day it happens, so a route of another day is shown but cannot be started.
function nextDay(iso) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
export const isToday = () => day === today();
for (const link of document.querySelectorAll('#days [data-day-link]')) {
  const target = link.dataset.dayLink === 'today' ? today() : nextDay(today());
  link.href = link.dataset.dayLink === 'today' ? '/m/' : `/m/?day=${target}`;
  link.textContent = t(`phone.day.${link.dataset.dayLink}`);
  link.classList.toggle('active', day === target);
  link.setAttribute('aria-current', String(day === target));
}
export function showOtherDay() {
  $('other-day').hidden = isToday();
  $('other-day').textContent = isToday() ? '' : t('phone.other_day', { date: fmtDate(day) });
}
showOtherDay();
$('menu-logout').addEventListener('click', api.logout);

// --- local state: the route (cached for offline use) and what was done on this phone ------
const ROUTE_KEY = `careroute.route.${day}`;
const DONE_KEY = `careroute.visits.${day}`;
// What other modules change: the day's route and the phone's last position.
export const state = { route: JSON.parse(localStorage.getItem(ROUTE_KEY) ?? 'null'), lastFix: null };
export const local = JSON.parse(localStorage.getItem(DONE_KEY) ?? '{}');
export const saveLocal = () => localStorage.setItem(DONE_KEY, JSON.stringify(local));

// The page draws the route with the function it hands in here (the stop cards).
let draw = () => {};
export function drawWith(fn) {
  draw = fn;
}
export const redraw = () => draw();

export function showError(text) {
  $('phone-error').textContent = text ?? '';
  $('phone-error').hidden = !text;
}

export async function loadRoute() {
  try {
    state.route = await api.myRoute(day);
    localStorage.setItem(ROUTE_KEY, JSON.stringify(state.route));
    showError(null);
  } catch (exc) {
    if (exc.status === 401) api.logout();
    if (!state.route) showError(t('phone.route_unavailable'));
  }
  redraw();
}

// A visit is the client's visit of the day: the same under every approved version of the
// plan (each gives its stops new ids), so what this phone did is kept by the visit's key.
export const keyOf = (stop) => stop.visit_key ?? String(stop.plan_stop_id);

export function stateOf(stop) {
  return local[keyOf(stop)]?.status ?? stop.status ?? 'planned';
}

export function setState(stop, changes) {
  local[keyOf(stop)] = { ...(local[keyOf(stop)] ?? {}), ...changes };
  saveLocal();
  redraw();
}
