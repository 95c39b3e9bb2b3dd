// The worker's phone page: today's route as a list and a map, visit buttons (arrived,
// services with actual minutes, the client's confirmation code, departed, no-show / refused),
// GPS pings, and an offline outbox that syncs when the network returns. Its parts: the day and
// what was done on this phone (phone_day.js), the outbox's sync (phone_sync.js), the visit's
// steps (phone_visit.js), the stop cards (phone_stops.js), the map (phone_map.js) and the
// position (phone_gps.js).
import * as outbox from './outbox.js';
import { $, drawWith, loadRoute } from './phone_day.js';
import { watchPosition } from './phone_gps.js';
import { drawMap } from './phone_map.js';
import { mountMonthReport } from './phone_month.js';
import { render } from './phone_stops.js';
import { listen, showRefused, showSyncState, startSync, sync } from './phone_sync.js';

drawWith(render);
startSync();
watchPosition();

for (const b of document.querySelectorAll('#views button')) {
  b.addEventListener('click', () => {
    for (const other of document.querySelectorAll('#views button')) other.classList.toggle('active', other === b);
    const onMap = b.dataset.view === 'map';
    $('phone-map').hidden = !onMap;
    $('stops').hidden = onMap;
    if (onMap) drawMap();
  });
}

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
