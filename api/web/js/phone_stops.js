// The day's route as a list: a card per visit (time, client, services, what was done and
// what the server made of it, the buttons of the visit's next step) and the lunch break in
// its place.
import * as api from './api.js';
import { fmtTime, t } from './i18n.js';
import { $, isToday, keyOf, local, state, stateOf } from './phone_day.js';
import { drawMap } from './phone_map.js';
import { arrive, correct, correctable, openReason, openServices } from './phone_visit.js';

export function render() {
  const stops = state.route?.stops ?? [];
  $('no-route').hidden = stops.length > 0 || !state.route;
  const cards = stops.map(stopCard);
  const lunch = state.route?.lunch;
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
