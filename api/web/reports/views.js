// The hierarchy's figures per worker and month, and any breakdown (pivot): each view asks the
// server for its table and returns the charts and the table to show.
import { bars, lines, COLOURS } from '/reports/charts.js';

export const PIVOT_DIMENSIONS = ['worker', 'client_category', 'client_status', 'zone', 'service',
  'service_category', 'service_level', 'travel_mode', 'weekday', 'office', 'month'];
export const PIVOT_MEASURES = ['visits', 'services', 'minutes_planned', 'minutes_actual', 'travel', 'late', 'rating', 'unreviewed'];

const hours = (minutes) => Math.round((minutes || 0) / 6) / 10;

// The unit's rows (every month, then the whole period) and its parts' rows for the whole period.
export async function hierarchyView(h, query, place) {
  const table = await (await h.api('/api/reports/rollup', query)).json();
  const unitLevel = place.office ? 'office' : place.centre ? 'centre' : place.region ? 'region'
    : ({ nation: 'nation', region: 'region', office: 'nation' })[table.top];
  const unit = table.rows.filter((r) => r.level === unitLevel);
  const parts = table.rows.filter((r) => r.level === table.depth && r.bucket === null);
  const rows = [...unit, ...parts];
  // the units above are in the crumbs: their columns would repeat one name on every row
  const above = { region: ['region_name'], centre: ['region_name', 'centre'], office: ['region_name', 'centre', 'office_name'] }[unitLevel] || [];
  table.columns = table.columns.filter((c) => !above.includes(c.key));
  const nameOf = (r) => (r.level === 'worker' ? h.shortName(r.worker_name) : r.level === 'office' ? r.office_name
    : r.level === 'centre' ? r.centre : r.region_name);
  const charts = [];
  if (parts.length) {
    charts.push(bars(h.t('chart_services_per_worker'), parts.map(nameOf), parts.map((r) => r.services_per_worker),
      (v) => v.toLocaleString(h.lang === 'ru' ? 'ru-RU' : 'en-GB'), COLOURS[0]));
    charts.push(bars(h.t('chart_travel_per_worker'), parts.map(nameOf), parts.map((r) => r.travel_min_per_worker),
      (v) => h.duration(v), COLOURS[4], true));
  }
  const months = unit.filter((r) => r.bucket !== null);
  if (months.length > 1) {
    const labels = months.map((r) => h.words[`bucket_${r.bucket}`] ?? r.bucket);
    charts.push(lines(h.t('chart_month_over_month'), labels, [
      { name: h.t('services_per_worker'), colour: COLOURS[0], values: months.map((r) => r.services_per_worker) },
      { name: h.t('visits_per_worker'), colour: COLOURS[2], values: months.map((r) => r.visits_per_worker) },
      { name: h.t('travel_hours_per_worker'), colour: COLOURS[4], values: months.map((r) => hours(r.travel_min_per_worker)) },
      { name: h.t('on_site_hours_per_worker'), colour: COLOURS[6], values: months.map((r) => hours(r.on_site_min_per_worker)) },
    ]));
  }
  const period = `${h.format(table.start, 'date')} — ${h.format(table.end, 'date')}`;
  const status = parts.length ? `${period}: ${h.plural(parts.length, `units_${table.depth}`)}. ${h.t('hint')}` : h.t('empty');
  return { table, rows, charts, status, top: table.top };
}

function cell(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

export async function pivotView(h, query) {
  if (!query.columns) delete query.columns;
  const p = await (await h.api('/api/reports/pivot', query)).json();
  const kind = p.kind;
  const show = (v) => h.format(v, kind);
  const el = document.createElement('table');
  el.id = 'pivot-table';
  const head = document.createElement('tr');
  head.append(cell('th', h.t(`dim_${p.rows}`)));
  if (p.columns) p.column_labels.forEach((label) => head.append(cell('th', label)));
  head.append(cell('th', p.columns ? h.t('total') : h.t(`measure_${p.measure}`)));
  el.append(head);
  p.row_labels.forEach((label, i) => {
    const tr = document.createElement('tr');
    tr.append(cell('td', label));
    if (p.columns) p.cells[i].forEach((v) => tr.append(cell('td', show(v), 'num')));
    tr.append(cell('td', show(p.row_totals[i]), 'num rp-sum'));
    el.append(tr);
  });
  const total = document.createElement('tr');
  total.className = 'rp-total';
  total.append(cell('td', h.t('total')));
  if (p.columns) p.column_totals.forEach((v) => total.append(cell('td', show(v), 'num')));
  total.append(cell('td', show(p.total), 'num'));
  el.append(total);
  const title = `${h.t(`measure_${p.measure}`)}: ${h.t(`dim_${p.rows}`)}`;
  const charts = p.row_labels.length ? [bars(title, p.row_labels, p.row_totals.map((v) => v ?? 0),
    (v) => show(v), COLOURS[0], kind === 'duration')] : [];
  const period = `${h.format(p.start, 'date')} — ${h.format(p.end, 'date')}`;
  const status = p.row_labels.length ? `${period}: ${h.plural(p.row_labels.length, 'rows')}.` : h.t('empty');
  return { table: el, charts, status };
}
