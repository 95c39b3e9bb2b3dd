// A department's registers for its head: the service catalogue, the workers (shifts, lunch,
// travel, skills, absences), their devices, and imports. One tab per module (of_*.js).
import * as api from './api.js';
import { errorText, t, translateDom } from './i18n.js';
import { $, say } from './dom.js';
import { mountTabs, startPage } from './shell.js';
import { ServicesTab } from './of_services.js';
import { WorkersTab } from './of_workers.js';
import { DevicesTab } from './of_devices.js';
import { ImportTab } from './of_import.js';

const { user } = await startPage({ roles: ['admin', 'supervisor', 'manager'] });
$('admin-link').hidden = user.role !== 'admin';

const rows = await api.offices().then((p) => p.items).catch(() => []);
const select = $('office');
select.replaceChildren(...rows.map((o) => new Option(o.name, o.id)));
const wanted = new URLSearchParams(location.search).get('office');
if (wanted && rows.some((o) => String(o.id) === wanted)) select.value = wanted;
$('no-office').hidden = rows.length > 0;

const ctx = {
  officeId: () => Number(select.value),
  canEdit: () => user.role === 'admin' || (user.role === 'supervisor' && user.office_ids.includes(Number(select.value))),
  showError: (exc) => say($('page-error'), exc ? errorText(exc) : null, 'bad'),
};
const tabs = {
  services: new ServicesTab(ctx),
  workers: new WorkersTab(ctx),
  devices: new DevicesTab(ctx),
  import: new ImportTab(ctx),
};
let current = null;

function applyRole() {
  const editable = ctx.canEdit();
  for (const part of document.querySelectorAll('.edit-only')) part.hidden = !editable;
  $('readonly-note').hidden = editable || !rows.length;
  const link = new URL('/supervisor/', location.origin);
  if (select.value) link.searchParams.set('office', select.value);
  $('supervisor-link').href = link.pathname + link.search;
}

async function show(name) {
  current = name;
  ctx.showError(null);
  if (!rows.length) return;
  try {
    await tabs[name].show();
  } catch (exc) {
    ctx.showError(exc);
  }
}

select.addEventListener('change', async () => {
  const url = new URL(location.href);
  url.searchParams.set('office', select.value);
  history.replaceState(null, '', url);
  applyRole();
  for (const tab of Object.values(tabs)) tab.reset();
  await show(current);
});

translateDom();
document.title = t('of.title');
applyRole();
await mountTabs(show);
document.body.dataset.ready = '1';
