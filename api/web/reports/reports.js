// The managers' reports page: filters -> one report as charts + a table, exports; the drill-down
// nation -> region -> centre -> department -> worker -> day -> visit with the figures per worker
// and month; any breakdown (pivot).
import { groupedBars, lines, ratios, COLOURS } from '/reports/charts.js';
import { hierarchyView, pivotView, PIVOT_DIMENSIONS, PIVOT_MEASURES } from '/reports/views.js';

const TABS = ['hierarchy', 'pivot', 'worker-timing', 'care-plan', 'calibration', 'services', 'clients', 'workers', 'feedback'];
const LANG_KEY = 'careroute.lang';
const $ = (id) => document.getElementById(id);

let words = {};
let lang = 'ru';
let tab = 'hierarchy';
let drill = { office: null, worker: null, day: null }; // the timing report's drill-down position
// the hierarchy's position: region {id, name}, centre (name), office {id, name}; below the
// department the timing report's drill-down takes over
let place = { region: null, centre: null, office: null };
// the highest level the user reads (the server says so with every roll-up; until then, the role)
let top = ({ supervisor: 'office', manager: 'region' })[localStorage.getItem('careroute.role')] || 'nation';
let lastTable = null;

function t(key) { return words[key] ?? key; }

// A failed request in the user's words (the server's sentences are English): by the field at
// fault, else by the HTTP status.
function errorText(error) {
  if (!error.status) return t('error_network');
  if (['period', 'start', 'end'].includes(error.field)) return t('error_period');
  return words[`error_${error.status}`] ?? t('error_other');
}

function token() { return localStorage.getItem('careroute.token'); }

async function api(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, v);
  const answer = await fetch(url, { headers: { Authorization: `Bearer ${token()}` } });
  if (!answer.ok) {
    const body = await answer.json().catch(() => ({}));
    const error = new Error(body.detail || answer.status);
    error.status = answer.status;
    error.field = body.errors?.[0]?.field;
    throw error;
  }
  return answer;
}

function filters() {
  const query = { office_id: $('office').value, worker_id: $('worker').value };
  if ($('period').value === 'custom') Object.assign(query, { start: $('start').value, end: $('end').value });
  else query.period = $('period').value;
  return query;
}

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-t]').forEach((node) => { node.textContent = t(node.dataset.t); });
  document.title = t('page_title');
  $('lang').textContent = t('lang');
  $('tabs').replaceChildren(...TABS.map((name) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = t(`tab_${name}`);
    b.className = name === tab ? 'active' : '';
    b.onclick = () => { tab = name; drill = { office: null, worker: null, day: null }; translate(); showFilters(); load(); };
    return b;
  }));
}

// Day first in both languages: the offices are Russian, whatever language the page speaks.
const localeOf = (language) => (language === 'ru' ? 'ru-RU' : 'en-GB');

// 5251 minutes -> "87 ч 31 мин": managers read hours, not thousands of minutes.
export function duration(minutes) {
  if (minutes === null || minutes === undefined || Number.isNaN(Number(minutes))) return '';
  const whole = Math.round(Math.abs(Number(minutes)));
  const sign = Number(minutes) < 0 ? '−' : '';
  const h = Math.floor(whole / 60), m = whole % 60;
  if (!h) return `${sign}${m} ${t('min')}`;
  return `${sign}${h.toLocaleString(localeOf(lang))} ${t('h')}${m ? ` ${m} ${t('min')}` : ''}`;
}

function format(value, kind) {
  if (value === null || value === undefined) return '';
  const locale = localeOf(lang);
  if (kind === 'duration' || kind === 'minutes') return typeof value === 'number' ? duration(value) : String(value);
  if (kind === 'time') return new Date(value).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (kind === 'date') return new Date(`${value}T12:00`).toLocaleDateString(locale);
  if (kind === 'bool') return value ? '✓' : '—';
  if (typeof value === 'number') return value.toLocaleString(locale);
  return String(value);
}

function renderTable(table, rows, onRow, rowLevel = null) {
  // columns empty in every row shown (e.g. the times of one visit on total rows) only push
  // the figures off the screen
  const columns = table.columns.filter((c) => rows.some((r) => r[c.key] !== null && r[c.key] !== undefined && r[c.key] !== ''));
  const head = document.createElement('tr');
  columns.forEach((c) => {
    const th = document.createElement('th');
    // durations are shown in hours and minutes, so the unit leaves the heading
    th.textContent = c.kind === 'minutes' ? c[lang].replace(/, (мин|min)$/, '') : c[lang];
    head.append(th);
  });
  const body = rows.map((row) => {
    const tr = document.createElement('tr');
    if (row.level && row.level !== 'day' && row.level !== rowLevel) tr.className = 'rp-total';
    if (onRow && onRow(row)) { tr.classList.add('rp-link'); tr.onclick = onRow(row); }
    columns.forEach((c) => {
      const td = document.createElement('td');
      let value = row[c.key];
      if (c.key === 'level') value = t(`level_${value}`);
      else if (c.key === 'bucket') value = value ? (words[`bucket_${value}`] ?? value) : t('bucket_all');
      else if (typeof value === 'string' && words[`value_${value}`]) value = words[`value_${value}`]; // tapped, no_show...
      td.textContent = format(value, c.kind);
      if (['int', 'minutes', 'number', 'duration'].includes(c.kind)) td.className = 'num';
      if ((c.key === 'visits_missed' || c.key === 'shortfall' || c.key === 'visits_late') && value > 0) td.classList.add('bad');
      tr.append(td);
    });
    return tr;
  });
  const el = document.createElement('table');
  el.append(head, ...body);
  $('table').replaceChildren(el);
}

function crumbs() {
  const parts = [];
  const link = (label, action) => { const a = document.createElement('a'); a.textContent = label; a.onclick = action; return a; };
  if (tab === 'hierarchy') {
    const names = { nation: t('level_nation_name'), region: t('level_region_name'), office: t('level_office_name') };
    parts.push(link(names[top], () => { place = { region: null, centre: null, office: null }; drill = { office: null, worker: null, day: null }; load(); }));
    if (place.region && top === 'nation') parts.push(' › ', link(place.region.name, () => { place = { region: place.region, centre: null, office: null }; drill = { office: null, worker: null, day: null }; load(); }));
    if (place.centre) parts.push(' › ', link(place.centre, () => { place.office = null; drill = { office: null, worker: null, day: null }; load(); }));
    if (place.office && top !== 'office') parts.push(' › ', link(place.office.name, () => { drill = { office: null, worker: null, day: null }; load(); }));
  }
  if (tab === 'worker-timing' || (tab === 'hierarchy' && drill.worker)) {
    if (tab === 'worker-timing') parts.push(link(t('crumb_all_offices'), () => { drill = { office: null, worker: null, day: null }; load(); }));
    if (tab === 'worker-timing' && drill.office) parts.push(' › ', link(drill.office.name, () => { drill = { office: drill.office, worker: null, day: null }; load(); }));
    if (drill.worker) parts.push(' › ', link(drill.worker.name, () => { drill.day = null; load(); }));
    if (drill.day) parts.push(' › ', format(drill.day, 'date'));
  }
  $('crumbs').replaceChildren(...parts);
}

function timingCharts(rows) {
  const workers = rows.filter((r) => r.level === 'worker');
  const names = workers.map((r) => shortName(r.worker_name)); // the table has the full names
  const pick = (key) => workers.map((r) => r[key] || 0);
  const dates = rows.filter((r) => r.level === 'date').sort((a, b) => (a.day < b.day ? -1 : 1));
  const charts = [
    groupedBars(t('chart_worker'), names, [
      { name: `${t('on_site')}, ${t('planned')}`, colour: COLOURS[1], values: pick('on_site_planned_min') },
      { name: `${t('on_site')}, ${t('actual')}`, colour: COLOURS[0], values: pick('on_site_actual_min') },
      { name: `${t('travel')}, ${t('planned')}`, colour: COLOURS[3], values: pick('travel_planned_min') },
      { name: `${t('travel')}, ${t('actual')}`, colour: COLOURS[2], values: pick('travel_actual_min') },
      { name: `${t('idle')}, ${t('actual')}`, colour: COLOURS[5], values: pick('idle_actual_min') },
    ], (v) => `${Math.round(v / 60)} ${t('h')}`, true),
  ];
  if (dates.length > 1) {
    charts.push(lines(t('chart_trend'), dates.map((r) => format(r.day, 'date').slice(0, 5)), [
      { name: t('done'), colour: COLOURS[2], values: dates.map((r) => r.visits_done) },
      { name: t('late'), colour: COLOURS[4], values: dates.map((r) => r.visits_late) },
      { name: t('missed'), colour: COLOURS[6], values: dates.map((r) => r.visits_missed) },
    ]));
  }
  return charts;
}

// "Кузнецова Ольга Викторовна" -> "Кузнецова О. В.", short enough for a chart's labels.
function shortName(name) {
  const [family, ...given] = String(name ?? '').split(' ').filter(Boolean);
  return [family, given.map((g) => `${g[0]}.`).join(' ')].filter(Boolean).join(' ');
}

async function showEvents(visitId) {
  const data = await (await api(`/api/reports/visits/${visitId}/events`)).json();
  const box = $('events');
  box.hidden = false;
  box.innerHTML = `<h3>${t('events')}</h3>`;
  const list = document.createElement('ul');
  data.events.forEach((e) => {
    const li = document.createElement('li');
    const rendered = e.type === 'service_rendered' ? e.services || [] : []; // others repeat the plan's
    const services = rendered.map((s) => `${s.code}${s.minutes ? ` ${s.minutes} ${t('min')}` : ''}`).join(', ');
    li.textContent = `${format(e.t, 'time')} — ${t(`event_${e.type}`)}${services ? ` (${services})` : ''}`
      + `${e.outside_geofence ? ` ⚠ ${t('event_far')}` : ''}${e.confirmed ? ' ✓' : ''}${e.reason ? ` — ${e.reason}` : ''}`;
    list.append(li);
  });
  box.append(list);
}

function plural(n, key) {
  const form = new Intl.PluralRules(localeOf(lang)).select(n);
  return `${n.toLocaleString(localeOf(lang))} ${words[`${key}_${form}`] ?? words[`${key}_other`] ?? key}`;
}

function showFilters() {
  const inHierarchy = tab === 'hierarchy' && !drill.worker;
  $('office').closest('label').hidden = inHierarchy;
  $('worker').closest('label').hidden = tab === 'hierarchy' || tab === 'pivot';
  $('split').closest('label').hidden = tab !== 'hierarchy';
  $('pivot-form').hidden = tab !== 'pivot';
}

const helpers = () => ({ t, words, lang, api, format, duration, shortName, plural });

async function load() {
  $('status').textContent = t('loading');
  $('events').hidden = true;
  $('form-department').hidden = $('form-centre').hidden = true;
  showFilters();
  crumbs();
  const query = filters();
  try {
    if (tab === 'pivot') {
      delete query.worker_id;
      Object.assign(query, { rows: $('pivot-rows').value, columns: $('pivot-columns').value, measure: $('pivot-measure').value, locale: lang });
      const view = await pivotView(helpers(), query);
      lastTable = { name: 'pivot', query };
      $('charts').replaceChildren(...view.charts);
      $('table').replaceChildren(view.table);
      $('status').textContent = view.status;
      return;
    }
    if (tab === 'hierarchy' && !drill.worker) {
      delete query.office_id;
      delete query.worker_id;
      Object.assign(query, { region_id: place.region?.id, centre: place.centre, office_id: place.office?.id, split: $('split').value });
      const view = await hierarchyView(helpers(), query, place);
      top = view.top;
      crumbs();
      lastTable = { name: 'rollup', query };
      showForms(view.table.office_ids);
      $('charts').replaceChildren(...view.charts);
      renderTable(view.table, view.rows, (r) => r.bucket === null && r.level === view.table.depth && (() => {
        if (r.level === 'region') place = { region: { id: r.region_id, name: r.region_name }, centre: null, office: null };
        else if (r.level === 'centre') place = { region: { id: r.region_id, name: r.region_name }, centre: r.centre, office: null };
        else if (r.level === 'office') place = { ...place, region: { id: r.region_id, name: r.region_name }, centre: r.centre, office: { id: r.office_id, name: r.office_name } };
        else if (r.level === 'worker') drill = { office: place.office, worker: { id: r.worker_id, name: r.worker_name }, day: null };
        load();
      }), view.table.depth);
      $('status').textContent = view.status;
      return;
    }
    let name = tab === 'hierarchy' ? 'worker-timing' : tab;
    if (name === 'worker-timing' && drill.day) {
      name = 'visits';
      Object.assign(query, { worker_id: drill.worker.id, start: drill.day, end: drill.day, period: '' });
    } else if (name === 'worker-timing' && drill.worker) {
      query.worker_id = drill.worker.id;
    }
    if (drill.office) query.office_id = drill.office.id;
    const table = await (await api(`/api/reports/${name}`, query)).json();
    lastTable = { name, query };
    let rows = table.rows;
    let charts = [];
    let onRow = null;
    if (name === 'worker-timing') {
      charts = timingCharts(rows);
      if (drill.worker) {
        rows = rows.filter((r) => r.level === 'day' || r.level === 'worker');
        onRow = (r) => r.level === 'day' && (() => { drill.day = r.day; load(); });
      } else if (query.office_id) {
        rows = rows.filter((r) => r.level !== 'day' && r.level !== 'date' && r.level !== 'total');
        onRow = (r) => r.level === 'worker' && (() => { drill.worker = { id: r.worker_id, name: r.worker_name }; load(); });
      } else { // every department first: the office is a level of the drill-down
        rows = rows.filter((r) => r.level === 'office' || r.level === 'total');
        onRow = (r) => r.level === 'office' && (() => { drill = { office: { id: r.office_id, name: r.office_name }, worker: null, day: null }; load(); });
      }
    } else if (name === 'visits') {
      onRow = (r) => r.visit_id && (() => showEvents(r.visit_id));
    } else if (name === 'calibration' && rows.length) {
      charts = [ratios(t('chart_calibration'), rows.map((r) => r.service_code),
        rows.map((r) => r.ratio), rows.map((r) => r.p90_min / r.standard_min))];
    }
    $('charts').replaceChildren(...charts);
    renderTable(table, rows, onRow);
    const period = `${format(table.start, 'date')} — ${format(table.end, 'date')}`;
    $('status').textContent = rows.length ? `${period}: ${plural(rows.length, 'rows')}. ${onRow ? t('hint') : ''}` : t('empty');
  } catch (error) {
    $('status').textContent = errorText(error);
  }
}

// The offices' forms for the department or centre in view (XLSX laid out as the paper forms).
function showForms(officeIds) {
  const office = place.office?.id ?? (officeIds.length === 1 ? officeIds[0] : null);
  const inHierarchy = tab === 'hierarchy' && !drill.worker;
  $('form-department').hidden = !(inHierarchy && office);
  $('form-centre').hidden = !(inHierarchy && (office || place.centre));
  const query = () => ({ ...filters(), worker_id: '', office_id: office, centre: office ? '' : place.centre, region_id: office ? '' : place.region?.id });
  $('form-department').onclick = () => download('xlsx', { name: 'department-services', url: '/api/reports/forms/department-services.xlsx', query: query() });
  $('form-centre').onclick = () => download('xlsx', { name: 'centre-clients', url: '/api/reports/forms/centre-clients.xlsx', query: query() });
}

async function download(fmt, form = null) {
  if (!lastTable && !form) return;
  const answer = form ? await api(form.url, form.query)
    : await api(`/api/reports/${lastTable.name}/export.${fmt}`, { ...lastTable.query, locale: lang });
  const name = (answer.headers.get('content-disposition') || '').match(/filename="(.+)"/)?.[1] || `report.${fmt}`;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await answer.blob());
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

async function start() {
  const catalogue = await (await fetch('/reports/i18n.json')).json();
  lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem(LANG_KEY) || 'ru';
  if (!catalogue[lang]) lang = 'ru';
  words = catalogue[lang];
  translate();
  $('lang').onclick = () => { localStorage.setItem(LANG_KEY, lang === 'ru' ? 'en' : 'ru'); location.search = ''; };
  $('logout').onclick = () => { localStorage.removeItem('careroute.token'); localStorage.removeItem('careroute.role'); };
  if (!token()) { $('denied').textContent = t('login_needed'); $('denied').hidden = false; return; }
  let offices;
  try {
    offices = await (await api('/api/reports/offices')).json();
  } catch (error) {
    if (error.status === 401) { location.assign('/'); return; }
    $('denied').hidden = false;
    return;
  }
  $('app').hidden = false;
  const option = (value, label) => { const o = document.createElement('option'); o.value = value; o.textContent = label; return o; };
  $('office').replaceChildren(option('', t('all_offices')), ...offices.map((o) => option(o.id, o.name)));
  const fillWorkers = () => {
    const chosen = offices.filter((o) => !$('office').value || String(o.id) === $('office').value);
    $('worker').replaceChildren(option('', t('all_workers')), ...chosen.flatMap((o) => o.workers.map((w) => option(w.id, w.name))));
  };
  $('office').onchange = fillWorkers;
  fillWorkers();
  if (offices.length === 1) { $('office').value = offices[0].id; fillWorkers(); }
  $('period').value = 'this_month';
  $('period').onchange = () => { const custom = $('period').value === 'custom'; $('start').disabled = $('end').disabled = !custom; };
  $('period').onchange();
  $('filters').onsubmit = (e) => { e.preventDefault(); drill = { office: null, worker: null, day: null }; load(); };
  const choices = (select, keys, prefix, empty) => select.replaceChildren(
    ...(empty ? [option('', t('pivot_none'))] : []), ...keys.map((k) => option(k, t(`${prefix}${k}`))));
  choices($('pivot-rows'), PIVOT_DIMENSIONS, 'dim_');
  choices($('pivot-columns'), PIVOT_DIMENSIONS, 'dim_', true);
  choices($('pivot-measure'), PIVOT_MEASURES, 'measure_');
  $('pivot-rows').value = 'worker';
  $('pivot-columns').value = 'weekday';
  $('pivot-form').onsubmit = (e) => { e.preventDefault(); load(); };
  $('csv').onclick = () => download('csv');
  $('xlsx').onclick = () => download('xlsx');
  load();
}

start();
