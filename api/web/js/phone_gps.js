// The phone's position: a ping queued at most every half minute while standing still, or as
// soon as the phone has moved; the last fix goes with each visit event.
import { t } from './i18n.js';
import * as outbox from './outbox.js';
import { $, state } from './phone_day.js';
import { updateMapPosition } from './phone_map.js';
import { sync } from './phone_sync.js';

const PING_EVERY_MS = 30_000; // a ping at most this often while standing still...
const PING_MOVED_M = 30; // ...or as soon as the phone has moved this far

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
  state.lastFix = fix;
  $('gps-state').textContent = t('gps.on', { accuracy: Math.round(fix.accuracy ?? 0) });
  const due = !lastPing || Date.now() - lastPing.at > PING_EVERY_MS || metres(lastPing, fix) > PING_MOVED_M;
  if (!due) return;
  lastPing = { ...fix, at: Date.now() };
  const ping = { uuid: outbox.newUuid(), ...fix };
  if (position.coords.speed != null) ping.speed = position.coords.speed;
  outbox.enqueue('ping', ping).then(sync);
  updateMapPosition();
}

export function watchPosition() {
  if ('geolocation' in navigator) {
    navigator.geolocation.watchPosition(onPosition, () => {
      $('gps-state').textContent = t('gps.off');
    }, { enableHighAccuracy: true, maximumAge: 15_000, timeout: 60_000 });
  } else {
    $('gps-state').textContent = t('gps.off');
  }
}
