// A visit on the phone: arrived, the services with their actual minutes, the client's code
// and rating, departed, or no-show / refused with a reason; each step an event queued in the
// outbox. The worker may correct their own visit of today until it is reviewed.
import { fmtDate, t } from './i18n.js';
import * as outbox from './outbox.js';
import {
  day, isToday, keyOf, local, redraw, saveLocal, setState, showError, showOtherDay, state,
} from './phone_day.js';
import { showSyncState, sync } from './phone_sync.js';

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
  if (state.lastFix) Object.assign(event, { lat: state.lastFix.lat, lon: state.lastFix.lon, accuracy: state.lastFix.accuracy });
  const mine = local[keyOf(stop)] ?? {};
  local[keyOf(stop)] = { ...mine, events: [...(mine.events ?? []), event.uuid] };
  saveLocal();
  await outbox.enqueue('event', event);
  await showSyncState();
  sync();
}

// A check-in on another day than the route's would be filed under the wrong day: refused here.
function refuseOtherDay() {
  if (isToday()) return false;
  showOtherDay();
  showError(t('phone.other_day', { date: fmtDate(day) }));
  redraw();
  return true;
}

export async function arrive(stop) {
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
export function correctable(stop, state) {
  return isToday() && ['done', 'no_show', 'refused'].includes(state)
    && !(stop.flags ?? []).includes('reviewed');
}

export async function correct(stop) {
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

export function openServices(li, stop) {
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

export function openReason(li, stop, type) {
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
