// Sending what this phone queued: the device registered once, the outbox flushed whenever
// the network is there, the server's verdicts and refusals shown, the office's plan changes
// listened for.
import * as api from './api.js';
import { fmtTime, t } from './i18n.js';
import * as outbox from './outbox.js';
import { $, loadRoute, local, redraw, saveLocal, user } from './phone_day.js';

const DEVICE_KEY = 'careroute.device';
const SYNC_EVERY_MS = 20_000;
let syncing = false;
let online = navigator.onLine;

// --- the device: registered once, its id kept for syncing (the login cookie proves the rest) --
export async function device() {
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
export async function showSyncState() {
  const waiting = await outbox.count();
  const box = $('sync-state');
  box.dataset.queued = waiting;
  // A sync answered just as the network went away must not show the phone as online.
  if (!online || !navigator.onLine) {
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
export function showRefused() {
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
export async function sync() {
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
      redraw();
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

export function startSync() {
  window.addEventListener('online', () => { online = true; sync(); loadRoute(); });
  window.addEventListener('offline', () => { online = false; showSyncState(); });
  setInterval(sync, SYNC_EVERY_MS);
}

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

// --- plan changes pushed by the office ------------------------------------------------------
let listenedBefore = false;
export async function listen() {
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
