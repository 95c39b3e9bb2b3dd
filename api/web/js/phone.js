// The worker's phone page: today's route as a list and a map, visit buttons (arrived,
// services with actual minutes, the client's confirmation code, departed, no-show / refused),
// GPS pings, and an offline outbox that syncs when the network returns.
import * as api from './api.js';
import { fmtDate, fmtTime, initI18n, mountLangSwitch, t, today, translateDom } from './i18n.js';
import * as outbox from './outbox.js';
import { esc } from './html.js';
import { mountMonthReport } from './phone_month.js';

const $ = (id) => document.getElementById(id);
const DEVICE_KEY = 'careroute.device';
const PING_EVERY_MS = 30_000; // a ping at most this often while standing still...
const PING_MOVED_M = 30; // ...or as soon as the phone has moved this far
const SYNC_EVERY_MS = 20_000;

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
}
if (!api.storedRole()) location.replace('/');

const cfg = await api.config().catch(() => JSON.parse(localStorage.getItem('careroute.cfg') ?? '{}'));
localStorage.setItem('careroute.cfg', JSON.stringify(cfg));
let user = JSON.parse(localStorage.getItem('careroute.me') ?? 'null');
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

const day = new URLSearchParams(location.search).get('day') || today();
$('worker-name').textContent = user.full_name || user.username;
$('day-label').textContent = fmtDate(day);

// Today and tomorrow, one tap apart. Visits are checked in on their own day only: an event
// belongs to the day it happens, so a route of another day is shown but cannot be started.
function nextDay(iso) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
const isToday = () => day === today();
for (const link of document.querySelectorAll('#days [data-day-link]')) {
  const target = link.dataset.dayLink === 'today' ? today() : nextDay(today());
  link.href = link.dataset.dayLink === 'today' ? '/m/' : `/m/?day=${target}`;
  link.textContent = t(`phone.day.${link.dataset.dayLink}`);
  link.classList.toggle('active', day === target);
  link.setAttribute('aria-current', String(day === target));
}
function showOtherDay() {
  $('other-day').hidden = isToday();
  $('other-day').textContent = isToday() ? '' : t('phone.other_day', { date: fmtDate(day) });
}
showOtherDay();
$('menu-logout').addEventListener('click', api.logout);

// --- local state: the route (cached for offline use) and what was done on this phone ------
const ROUTE_KEY = `careroute.route.${day}`;
const DONE_KEY = `careroute.visits.${day}`;
let route = JSON.parse(localStorage.getItem(ROUTE_KEY) ?? 'null');
const local = JSON.parse(localStorage.getItem(DONE_KEY) ?? '{}');
const saveLocal = () => localStorage.setItem(DONE_KEY, JSON.stringify(local));
let lastFix = null;
let syncing = false;
let online = navigator.onLine;

function showError(text) {
  $('phone-error').textContent = text ?? '';
  $('phone-error').hidden = !text;
}

async function loadRoute() {
  try {
    route = await api.myRoute(day);
    localStorage.setItem(ROUTE_KEY, JSON.stringify(route));
    showError(null);
  } catch (exc) {
    if (exc.status === 401) api.logout();
    if (!route) showError(t('phone.route_unavailable'));
  }
  render();
}

// --- the device: registered once, its id kept for syncing (the login cookie proves the rest) --
async function device() {
  let known = JSON.parse(localStorage.getItem(DEVICE_KEY) ?? 'null');
  if (known?.worker_id !== user.worker_id || known?.token) known = null; // older pages kept a token
  if (!known) {
    const answer = await api.registerDevice({ name: navigator.userAgent.slice(0, 120), platform: 'web' });
    known = { id: answer.id, worker_id: answer.worker_id };
    localStorage.setItem(DEVICE_KEY, JSON.stringify(known));
  }
  return known;
}

// --- sync ---------------------------------------------------------------------------------
async function showSyncState() {
  const waiting = await outbox.count();
  const box = $('sync-state');
  box.dataset.queued = waiting;
  if (!online) {
    box.className = 'sync-state offline';
    box.textContent = waiting ? `${t('sync.offline')} · ${t('sync.queued', { n: waiting })}` : t('sync.offline');
  } else if (waiting) {
    box.className = 'sync-state queued';
    box.textContent = t('sync.queued', { n: waiting });
  } else {
    box.className = 'sync-state';
    box.textContent = t('sync.all_sent');
  }
}

// What the server refused, one line each (what, when, why), until the worker dismisses it.
function showRefused() {
  const items = outbox.refusedItems();
  const list = $('refused-list');
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      const what = item.kind === 'event' ? t(`event.${item.type}`)
        : item.kind === 'rating' ? t('sync.kind_rating') : t('sync.kind_ping');
      const known = t(`refusal.${item.reason.split(':')[0]}`);
      const why = known.startsWith('refusal.') ? t('refusal.other', { reason: item.reason }) : known;
      const when = item.t && !Number.isNaN(Date.parse(item.t)) ? fmtTime(item.t) : '';
      li.textContent = [what, when, why].filter(Boolean).join(' · ');
      return li;
    }),
  );
  $('refused').hidden = !items.length;
}

let syncAgain = false; // something was queued while a sync ran: send it right after
async function sync() {
  if (syncing || !navigator.onLine) {
    syncAgain = syncing;
    online = navigator.onLine && online;
    await showSyncState();
    return;
  }
  syncing = true;
  let reload = false;
  try {
    const phone = await device();
    const result = await outbox.flush((batch) => api.sync(phone.id, batch));
    online = true;
    if (result.refused.length) {
      // a confirmation the server did not count: the visit is not shown as confirmed
      for (const item of result.refused) {
        if (item.type === 'client_confirmed' && local[item.stop]) local[item.stop].confirmed = false;
      }
      saveLocal();
      render();
      showRefused();
    }
    // Visit events answered: the server's verdict (confirmed, flags) is read back with the route.
    reload = noteVerdicts(result.answers ?? []);
  } catch (exc) {
    if (exc.status === 401) localStorage.removeItem(DEVICE_KEY); // token revoked: register again
    online = Boolean(exc.status); // no answer at all means no network
  } finally {
    syncing = false;
    await showSyncState();
  }
  if (syncAgain) {
    syncAgain = false;
    sync();
  }
  if (reload) loadRoute();
}

window.addEventListener('online', () => { online = true; sync(); loadRoute(); });
window.addEventListener('offline', () => { online = false; showSyncState(); });
setInterval(sync, SYNC_EVERY_MS);

// --- GPS ----------------------------------------------------------------------------------
function metres(a, b) {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.sqrt(x * x + y * y) * 6371000;
}

let lastPing = null;
function onPosition(position) {
  const fix = {
    lat: position.coords.latitude,
    lon: position.coords.longitude,
    accuracy: position.coords.accuracy,
    t: new Date(position.timestamp || Date.now()).toISOString(),
  };
  lastFix = fix;
  $('gps-state').textContent = t('gps.on', { accuracy: Math.round(fix.accuracy ?? 0) });
  const due = !lastPing || Date.now() - lastPing.at > PING_EVERY_MS || metres(lastPing, fix) > PING_MOVED_M;
  if (!due) return;
  lastPing = { ...fix, at: Date.now() };
  const ping = { uuid: outbox.newUuid(), ...fix };
  if (position.coords.speed != null) ping.speed = position.coords.speed;
  outbox.enqueue('ping', ping).then(sync);
  updateMapPosition();
}

if ('geolocation' in navigator) {
  navigator.geolocation.watchPosition(onPosition, () => {
    $('gps-state').textContent = t('gps.off');
  }, { enableHighAccuracy: true, maximumAge: 15_000, timeout: 60_000 });
} else {
  $('gps-state').textContent = t('gps.off');
}

// --- visit events ---------------------------------------------------------------------------
// What the sync answer says of this phone's events: a flag the server set at once.
function noteVerdicts(answers) {
  let any = false;
  for (const [stopId, mine] of Object.entries(local)) {
    for (const answer of answers) {
      if (!(mine.events ?? []).includes(answer.uuid)) continue;
      // Read back once the visit is over: a reload mid-visit would redraw the open form.
      if (mine.status !== 'in_progress') any = true;
      mine.flags = [...new Set([...(mine.flags ?? []), ...(answer.flags ?? [])])];
      if (answer.reason === 'outside_geofence' && !mine.flags.includes('geofence')) mine.flags.push('geofence');
      if (typeof answer.confirmed === 'boolean') mine.confirmed_by_server = answer.confirmed;
      local[stopId] = mine;
    }
  }
  if (any) saveLocal();
  return any;
}

// A visit is the client's visit of the day: the same under every approved version of the
// plan (each gives its stops new ids), so what this phone did is kept by the visit's key.
const keyOf = (stop) => stop.visit_key ?? String(stop.plan_stop_id);

async function record(stop, type, extra = {}) {
  const event = {
    uuid: outbox.newUuid(),
    type,
    t: new Date().toISOString(),
    client_id: stop.client.id,
    plan_stop_id: stop.plan_stop_id,
    visit_key: keyOf(stop),
    ...extra,
  };
  if (lastFix) Object.assign(event, { lat: lastFix.lat, lon: lastFix.lon, accuracy: lastFix.accuracy });
  const mine = local[keyOf(stop)] ?? {};
  local[keyOf(stop)] = { ...mine, events: [...(mine.events ?? []), event.uuid] };
  saveLocal();
  await outbox.enqueue('event', event);
  await showSyncState();
  sync();
}

function stateOf(stop) {
  return local[keyOf(stop)]?.status ?? stop.status ?? 'planned';
}

function setState(stop, changes) {
  local[keyOf(stop)] = { ...(local[keyOf(stop)] ?? {}), ...changes };
  saveLocal();
  render();
}

// A check-in on another day than the route's would be filed under the wrong day: refused here.
function refuseOtherDay() {
  if (isToday()) return false;
  showOtherDay();
  showError(t('phone.other_day', { date: fmtDate(day) }));
  render();
  return true;
}

async function arrive(stop) {
  if (refuseOtherDay()) return;
  setState(stop, { status: 'in_progress', arrived_at: new Date().toISOString() });
  await record(stop, 'arrived');
}

async function finish(stop, form) {
  const services = [];
  for (const line of form.querySelectorAll('.svc-line')) {
    if (!line.querySelector('input[type=checkbox]').checked) continue;
    const minutes = Number(line.querySelector('input[type=number]').value);
    services.push({ code: line.dataset.code, minutes: minutes > 0 ? minutes : undefined });
  }
  const code = form.querySelector('.code-input').value.trim();
  const rating = readRating(form);
  if (services.length) await record(stop, 'service_rendered', { services });
  if (code) await record(stop, 'client_confirmed', { code });
  await record(stop, 'departed');
  if (rating) await queueRating(stop, rating);
  setState(stop, { status: 'done', services, code_given: Boolean(code), open: null });
}

// The worker corrects their own visit of today, until the head has reviewed it: what ended the
// visit is undone (the arrival stays) and the visit is filled in again. The server audits it.
function correctable(stop, state) {
  return isToday() && ['done', 'no_show', 'refused'].includes(state)
    && !(stop.flags ?? []).includes('reviewed');
}

async function correct(stop) {
  if (!window.confirm(t('phone.correct_confirm'))) return;
  const mine = local[keyOf(stop)] ?? {};
  const arrived = mine.arrived_at ?? stop.arrived_at;
  await record(stop, 'reopened');
  setState(stop, {
    status: arrived ? 'in_progress' : 'planned', arrived_at: arrived ?? null, services: null,
    reason: null, code_given: null, flags: [], confirmed_by_server: null, open: null,
  });
}

async function notDone(stop, type, reason) {
  if (refuseOtherDay()) return;
  await record(stop, type, { reason });
  setState(stop, { status: type, reason, open: null });
}

// --- drawing ----------------------------------------------------------------------------------
function render() {
  const stops = route?.stops ?? [];
  $('no-route').hidden = stops.length > 0 || !route;
  const cards = stops.map(stopCard);
  const lunch = route?.lunch;
  if (lunch && stops.length) {
    // The lunch stands where it is taken: before the first visit, or after the visit it follows.
    const at = lunch.place === 'stop' ? stops.findIndex((s) => s.seq === lunch.after_seq) + 1
      : lunch.place === 'start' ? 0
        : stops.findIndex((s) => s.client.id === lunch.to_client_id);
    cards.splice(at < 0 ? cards.length : at, 0, lunchCard(lunch, stops));
  }
  $('stops').replaceChildren(...cards);
  if (!$('phone-map').hidden) drawMap();
}

function lunchCard(lunch, stops) {
  const li = document.createElement('li');
  li.className = `lunch ${lunch.place}`;
  li.dataset.place = lunch.place;
  const after = stops.find((s) => s.seq === lunch.after_seq);
  const where = lunch.place === 'stop'
    ? t('phone.lunch_after', { seq: lunch.after_seq, client: after?.client.full_name ?? '' })
    : t(`phone.lunch_${lunch.place}`);
  li.innerHTML = '<div class="row1"><span class="time"></span><b class="what"></b></div><div class="where"></div>';
  li.querySelector('.time').textContent = `${fmtTime(lunch.start)}–${fmtTime(lunch.end)}`;
  li.querySelector('.what').textContent = t('phone.lunch');
  li.querySelector('.where').textContent = where;
  return li;
}

function stopCard(stop) {
  const li = $('stop-template').content.firstElementChild.cloneNode(true);
  const state = stateOf(stop);
  const mine = local[keyOf(stop)] ?? {};
  li.dataset.stopId = stop.plan_stop_id;
  li.dataset.visitKey = keyOf(stop);
  li.dataset.state = state;
  li.classList.add(state.replace('_', '-'));
  li.querySelector('.num').textContent = stop.seq;
  li.querySelector('.time').textContent = `${fmtTime(stop.start)}–${fmtTime(stop.end)}`;
  li.querySelector('.state').textContent = t(`phone.state.${state}`);
  li.querySelector('.client').textContent = stop.client.full_name;
  li.querySelector('.addr').textContent = stop.client.address;
  // After the visit, the minutes actually rendered; before it, the planned ones.
  const rendered = new Map((mine.services ?? []).map((s) => [s.code, s.minutes]));
  const shown = state === 'done' && mine.services
    ? stop.services.filter((s) => rendered.has(s.code)) : stop.services;
  li.querySelector('.services').replaceChildren(...shown.map((s) => {
    const item = document.createElement('li');
    const minutes = rendered.get(s.code) ?? s.minutes;
    item.textContent = t('phone.service_line', { name: s.name || s.code, minutes });
    return item;
  }));
  const actions = li.querySelector('.actions');
  const button = (key, cls, onClick) => {
    const b = document.createElement('button');
    b.textContent = t(key);
    b.className = cls;
    b.dataset.action = key;
    b.addEventListener('click', onClick);
    actions.append(b);
    return b;
  };
  const nav = stop.client.navigation;
  if (nav) {
    const a = document.createElement('a');
    a.className = 'button';
    a.href = nav.geo;
    a.textContent = t('phone.navigate');
    actions.append(a);
  }
  button('phone.card', '', () => toggleCard(li, stop));
  if (state === 'planned' && isToday()) {
    button('phone.arrived', 'primary', () => arrive(stop));
    button('phone.no_show', 'danger', () => openReason(li, stop, 'no_show'));
    button('phone.refused', 'danger', () => openReason(li, stop, 'refused'));
  } else if (state === 'in_progress') {
    openServices(li, stop);
  }
  if (correctable(stop, state)) button('phone.correct', '', () => correct(stop));
  const status = li.querySelector('.status-line');
  if (state === 'done') {
    showVerdict(status, stop, mine);
  } else if (state === 'no_show' || state === 'refused') {
    status.className = 'status-line bad';
    status.textContent = mine.reason ? `${t(`phone.state.${state}`)}: ${mine.reason}` : '';
  }
  return li;
}

// After a visit: what the server decided (confirmed or not, the flags it set), or, until the
// server has the visit, that it waits to be sent. Never a confirmation the server did not give.
function showVerdict(line, stop, mine) {
  const known = stop.status === 'done' && stop.confirmed != null;
  const confirmed = known ? stop.confirmed : mine.confirmed_by_server;
  const flags = [...new Set([...(known ? stop.flags ?? [] : []), ...(mine.flags ?? [])])]
    .filter((f) => f !== 'unconfirmed');
  line.dataset.verdict = known || confirmed != null ? 'server' : 'local';
  if (line.dataset.verdict === 'local') {
    line.className = 'status-line';
    line.textContent = t('phone.done_waiting');
    return;
  }
  line.className = `status-line ${confirmed && !flags.length ? 'ok' : 'bad'}`;
  line.textContent = confirmed ? t('phone.done_confirmed')
    : mine.code_given === false ? t('phone.done_no_code') : t('phone.done_unconfirmed');
  if (flags.length) {
    const more = document.createElement('span');
    more.className = 'flags';
    more.textContent = t('phone.flagged', { flags: flags.map((f) => t(`phone.flag.${f}`)).join(', ') });
    line.append(more);
  }
}

async function toggleCard(li, stop) {
  const sheet = li.querySelector('.card-sheet');
  if (!sheet.hidden) {
    sheet.hidden = true;
    return;
  }
  let card = stop.client;
  try {
    card = await api.myClient(stop.client.id);
  } catch { /* offline: the route's copy of the card is enough */ }
  const rows = [
    ['phone.card.phone', card.phone],
    ['phone.card.window', card.window_start ? `${card.window_start.slice(0, 5)}–${(card.window_end ?? '').slice(0, 5)}` : ''],
    ['phone.card.notes', card.notes],
  ].filter(([, v]) => v);
  const dl = document.createElement('dl');
  for (const [key, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    if (key === 'phone.card.phone') {
      const a = document.createElement('a');
      a.href = `tel:${value}`;
      a.textContent = value;
      dd.append(a);
    } else {
      dd.textContent = value;
    }
    dl.append(dt, dd);
  }
  if (!rows.length) dl.textContent = t('phone.card.empty');
  sheet.replaceChildren(dl);
  sheet.hidden = false;
}

function openServices(li, stop) {
  const form = li.querySelector('.svc-form');
  form.hidden = false;
  const title = document.createElement('div');
  title.className = 'small muted';
  title.textContent = t('phone.services_hint');
  form.append(title);
  for (const s of stop.services) {
    const line = document.createElement('label');
    line.className = 'svc-line';
    line.dataset.code = s.code;
    line.innerHTML = '<input type="checkbox" checked><span class="svc-name"></span><input type="number" min="1" max="600" inputmode="numeric"><span class="small muted"></span>';
    line.querySelector('.svc-name').textContent = s.name || s.code;
    line.querySelector('input[type=number]').value = s.minutes;
    line.querySelector('.small').textContent = t('phone.min');
    form.append(line);
  }
  const code = document.createElement('label');
  code.innerHTML = '<span></span><input class="code-input" inputmode="numeric" autocomplete="off" maxlength="12">';
  code.firstChild.textContent = t('phone.code');
  form.append(code);
  form.append(ratingBlock());
  const done = document.createElement('button');
  done.className = 'ok wide';
  done.dataset.action = 'phone.finish';
  done.textContent = t('phone.finish');
  done.addEventListener('click', () => finish(stop, form));
  form.append(done);
}

// The client's rating of the visit (optional): five buttons and a short comment, queued
// offline with the visit's events and stored once by its id.
function ratingBlock() {
  const box = document.createElement('fieldset');
  box.className = 'rating';
  box.innerHTML = '<legend></legend><div class="stars" role="radiogroup"></div><label><span></span><input class="rating-comment" maxlength="500" autocomplete="off"></label>';
  box.querySelector('legend').textContent = t('phone.rating');
  box.querySelector('label > span').textContent = t('phone.rating_comment');
  const stars = box.querySelector('.stars');
  for (let n = 1; n <= 5; n += 1) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'star';
    b.dataset.rating = String(n);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', 'false');
    b.setAttribute('aria-label', t('phone.rating_n', { n }));
    b.textContent = String(n);
    b.addEventListener('click', () => {
      const again = box.dataset.rating === String(n);
      box.dataset.rating = again ? '' : String(n);
      for (const other of stars.children) {
        const on = !again && Number(other.dataset.rating) <= n;
        other.classList.toggle('active', on);
        other.setAttribute('aria-checked', String(!again && other === b));
      }
    });
    stars.append(b);
  }
  return box;
}

function readRating(form) {
  const box = form.querySelector('.rating');
  const value = Number(box?.dataset.rating || 0);
  if (!value) return null;
  return { rating: value, comment: box.querySelector('.rating-comment').value.trim() };
}

async function queueRating(stop, rating) {
  await outbox.enqueue('rating', {
    uuid: outbox.newUuid(),
    t: new Date().toISOString(),
    client_id: stop.client.id,
    plan_stop_id: stop.plan_stop_id,
    ...rating,
  });
  await showSyncState();
  sync();
}

function openReason(li, stop, type) {
  const form = li.querySelector('.svc-form');
  form.hidden = false;
  form.replaceChildren();
  const label = document.createElement('label');
  label.innerHTML = '<span></span><input class="reason-input" maxlength="300">';
  label.firstChild.textContent = t(`phone.reason.${type}`);
  const send = document.createElement('button');
  send.className = 'danger wide';
  send.dataset.action = 'phone.send_reason';
  send.textContent = t('phone.send_reason');
  send.addEventListener('click', () => {
    const reason = label.querySelector('input').value.trim();
    if (!reason) {
      label.querySelector('input').focus();
      return;
    }
    notDone(stop, type, reason);
  });
  form.append(label, send);
  label.querySelector('input').focus();
}

// --- the map view -------------------------------------------------------------------------------
let map = null;
let meMarker = null;
async function drawMap() {
  const L = await import('/static/vendor/leaflet/leaflet-src.esm.js');
  if (!map) {
    map = L.map('phone-map', { zoomControl: false });
    L.control.zoom({ zoomInTitle: t('map.zoom_in'), zoomOutTitle: t('map.zoom_out') }).addTo(map);
    if (cfg.map_tiles_url) {
      L.tileLayer(cfg.map_tiles_url, { attribution: cfg.map_tiles_attribution, maxZoom: 19 }).addTo(map);
    } else {
      // No tile server: the streets and the clients' houses, drawn from the office's basemap.
      const { createBasemap } = await import('./basemap.js');
      const layers = { streets: L.layerGroup().addTo(map), houses: L.layerGroup() };
      map.basemap = createBasemap(L, map, layers);
    }
    map.attributionControl.setPrefix(false);
    map.stopsLayer = L.layerGroup().addTo(map);
  }
  map.basemap?.showHouses((route?.stops ?? []).map((s) => s.client));
  map.stopsLayer.clearLayers();
  const points = [];
  // Visits in one house share a marker ("1·2"), so none hides another.
  const houses = new Map();
  for (const stop of route?.stops ?? []) {
    if (stop.client.lat == null) continue;
    const ll = [stop.client.lat, stop.client.lon];
    points.push(ll);
    const key = ll.join(',');
    if (!houses.has(key)) houses.set(key, { ll, stops: [] });
    houses.get(key).stops.push(stop);
  }
  for (const { ll, stops } of houses.values()) {
    const colour = stops.every((s) => stateOf(s) === 'done') ? '#2f9e44' : '#1f6feb';
    const label = stops.map((s) => s.seq).join('·');
    const width = Math.max(26, 12 + 8 * label.length);
    const icon = L.divIcon({
      className: '',
      html: `<div class="stop-num" style="background:${colour};width:${width}px;height:26px;line-height:22px;border-radius:13px">${label}</div>`,
      iconSize: [width, 26],
    });
    const popup = stops.map((s) => `<b>${s.seq}. ${fmtTime(s.start)}</b> ${esc(s.client.full_name)}`).join('<br>');
    L.marker(ll, { icon }).bindPopup(`${popup}<br>${esc(stops[0].client.address)}`).addTo(map.stopsLayer);
  }
  if (points.length > 1) L.polyline(points, { color: '#1f6feb', weight: 3, opacity: 0.6 }).addTo(map.stopsLayer);
  map.invalidateSize();
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  updateMapPosition(L);
}

async function updateMapPosition(Lmod) {
  if (!map || !lastFix) return;
  const L = Lmod ?? (await import('/static/vendor/leaflet/leaflet-src.esm.js'));
  if (!meMarker) meMarker = L.circleMarker([lastFix.lat, lastFix.lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#e8590c', fillOpacity: 1 }).addTo(map);
  else meMarker.setLatLng([lastFix.lat, lastFix.lon]);
}

for (const b of document.querySelectorAll('#views button')) {
  b.addEventListener('click', () => {
    for (const other of document.querySelectorAll('#views button')) other.classList.toggle('active', other === b);
    const onMap = b.dataset.view === 'map';
    $('phone-map').hidden = !onMap;
    $('stops').hidden = onMap;
    if (onMap) drawMap();
  });
}

// --- plan changes pushed by the office ------------------------------------------------------
async function listen() {
  let phone;
  try {
    phone = await device();
  } catch {
    setTimeout(listen, 15_000);
    return;
  }
  const socket = api.workerSocket(phone.id);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'ready') {
      // Listening again after a break: a change sent meanwhile is read with the route.
      if (listenedBefore) loadRoute();
      listenedBefore = true;
      document.body.dataset.listening = '1';
    } else if (message.type === 'plan') {
      $('plan-changed').hidden = false;
      loadRoute();
    }
  };
  socket.onclose = () => {
    delete document.body.dataset.listening;
    setTimeout(listen, 10_000);
  };
}
let listenedBefore = false;
$('reload-route').addEventListener('click', () => { $('plan-changed').hidden = true; loadRoute(); });
mountMonthReport();

render();
await showSyncState();
await loadRoute();
$('refused-ok').addEventListener('click', () => {
  outbox.forgetRefused();
  showRefused();
});
showRefused();
sync();
listen();
document.body.dataset.ready = '1';
