// The managers' reports page: filters -> one report as charts + a table, exports, and the
// drill-down office -> worker -> day -> visit of the timing report.
import { groupedBars, lines, ratios, COLOURS } from '/reports/charts.js';

const TABS = ['worker-timing', 'care-plan', 'calibration', 'services', 'clients', 'workers', 'feedback'];
const LANG_KEY = 'careroute.lang';
const $ = (id) => document.getElementById(id);

let words = {};
let lang = 'ru';
let tab = 'worker-timing';
let drill = { worker: null, day: null }; // the timing report's drill-down position
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
    b.onclick = () => { tab = name; drill = { worker: null, day: null }; translate(); load(); };
    return b;
  }));
}

// Day first in both languages: the offices are Russian, whatever language the page speaks.
const localeOf = (language) => (language === 'ru' ? 'ru-RU' : 'en-GB');

function format(value, kind) {
  if (value === null || value === undefined) return '';
  const locale = localeOf(lang);
  if (kind === 'time') return new Date(value).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (kind === 'date') return new Date(`${value}T12:00`).toLocaleDateString(locale);
  if (kind === 'bool') return value ? '✓' : '—';
  if (typeof value === 'number') return value.toLocaleString(locale);
  return String(value);
}

function renderTable(table, rows, onRow) {
  // columns empty in every row shown (e.g. the times of one visit on total rows) only push
  // the figures off the screen
  const columns = table.columns.filter((c) => rows.some((r) => r[c.key] !== null && r[c.key] !== undefined && r[c.key] !== ''));
  const head = document.createElement('tr');
  columns.forEach((c) => {
    const th = document.createElement('th');
    th.textContent = c[lang];
    head.append(th);
  });
  const body = rows.map((row) => {
    const tr = document.createElement('tr');
    if (row.level && row.level !== 'day') tr.className = 'rp-total';
    if (onRow && onRow(row)) { tr.classList.add('rp-link'); tr.onclick = onRow(row); }
    columns.forEach((c) => {
      const td = document.createElement('td');
      let value = row[c.key];
      if (c.key === 'level') value = t(`level_${value}`);
      else if (typeof value === 'string' && words[`value_${value}`]) value = words[`value_${value}`]; // tapped, no_show...
      td.textContent = format(value, c.kind);
      if (['int', 'minutes', 'number'].includes(c.kind)) td.className = 'num';
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
  if (tab === 'worker-timing') {
    parts.push(link(t('crumb_all'), () => { drill = { worker: null, day: null }; load(); }));
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
    ]),
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
      + `${e.outside_geofence ? ' ⚠ geofence' : ''}${e.confirmed ? ' ✓' : ''}${e.reason ? ` — ${e.reason}` : ''}`;
    list.append(li);
  });
  box.append(list);
}

async function load() {
  $('status').textContent = t('loading');
  $('events').hidden = true;
  crumbs();
  const query = filters();
  let name = tab;
  if (tab === 'worker-timing' && drill.day) {
    name = 'visits';
    Object.assign(query, { worker_id: drill.worker.id, start: drill.day, end: drill.day, period: '' });
  } else if (tab === 'worker-timing' && drill.worker) {
    query.worker_id = drill.worker.id;
  }
  try {
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
      } else {
        rows = rows.filter((r) => r.level !== 'day' && r.level !== 'date');
        onRow = (r) => r.level === 'worker' && (() => { drill.worker = { id: r.worker_id, name: r.worker_name }; load(); });
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
    const count = t(`rows_${new Intl.PluralRules(lang).select(rows.length)}`);
    $('status').textContent = rows.length ? `${period}: ${rows.length} ${count}. ${onRow ? t('hint') : ''}` : t('empty');
  } catch (error) {
    $('status').textContent = errorText(error);
  }
}

async function download(fmt) {
  if (!lastTable) return;
  const answer = await api(`/api/reports/${lastTable.name}/export.${fmt}`, { ...lastTable.query, locale: lang });
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
  $('filters').onsubmit = (e) => { e.preventDefault(); drill = { worker: null, day: null }; load(); };
  $('csv').onclick = () => download('csv');
  $('xlsx').onclick = () => download('xlsx');
  load();
}

start();
