// Small inline-SVG charts for the reports page (no dependency): grouped bars, lines, ranges.

const NS = 'http://www.w3.org/2000/svg';
export const COLOURS = ['#1f6feb', '#9ec5fe', '#2f9e44', '#b2f2bb', '#e8590c', '#ffd8a8', '#c92a2a'];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(title, legend) {
  const box = document.createElement('div');
  box.className = 'rp-chart';
  const h = document.createElement('h3');
  h.textContent = title;
  box.append(h);
  if (legend) {
    const l = document.createElement('div');
    l.className = 'rp-legend';
    legend.forEach(([label, colour]) => {
      const s = document.createElement('span');
      s.innerHTML = `<i style="background:${colour}"></i>`;
      s.append(label);
      l.append(s);
    });
    box.append(l);
  }
  return box;
}

// A round step for about four ticks up to max (1, 2, 2.5 or 5 times a power of ten).
// Durations (minutes) step in whole quarter hours, hours and days' worth of hours instead.
const MINUTE_STEPS = [5, 10, 15, 30, 60, 120, 180, 300, 600, 1200, 3000, 6000, 12000, 30000, 60000];

function ticks(max, count = 4, minutes = false) {
  const raw = max / count;
  if (minutes) {
    const step = MINUTE_STEPS.find((s) => s >= raw) || raw;
    const out = [0];
    while (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
    return out;
  }
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [0];
  while (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

// The value axis on top (ticks, grid lines) of a horizontal bar chart; returns the scale.
function valueAxis(svg, { left, right, top, bottom, max, fmt, minutes = false }) {
  const marks = ticks(max, 4, minutes);
  const end = marks[marks.length - 1] || 1;
  const x = (v) => left + ((right - left) * v) / end;
  marks.forEach((v) => {
    svg.append(el('line', { x1: x(v), x2: x(v), y1: top, y2: bottom, stroke: v ? '#eef2f6' : '#9aa5b1' }));
    svg.append(el('text', { x: x(v), y: top - 4, 'text-anchor': 'middle', class: 'rp-tick' }, fmt(v)));
  });
  return x;
}

// A chart taller than this scrolls inside its frame, so the table stays near the top.
function scrolled(box, svg, height) {
  const wrap = document.createElement('div');
  wrap.className = height > 300 ? 'rp-chart-scroll' : '';
  wrap.append(svg);
  box.append(wrap);
  return box;
}

// Horizontal grouped bars: one group per label, one bar per series, a value axis and values.
export function groupedBars(title, labels, series, fmt = (v) => String(Math.round(v)), minutes = false) {
  const box = frame(title, series.map((s) => [s.name, s.colour]));
  const barH = 7, gap = 8, left = 150, width = 600, top = 18, valueRoom = 54;
  const groupH = series.length * barH + gap;
  const height = top + labels.length * groupH + 4;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const x = valueAxis(svg, { left, right: width - valueRoom, top, bottom: height, max, fmt, minutes });
  labels.forEach((label, i) => {
    const y = top + i * groupH + 4;
    svg.append(el('text', { x: left - 6, y: y + groupH / 2, 'text-anchor': 'end' }, label));
    series.forEach((s, j) => {
      const v = s.values[i] || 0;
      const rect = el('rect', { x: left, y: y + j * barH, height: barH - 1, width: x(v) - left, fill: s.colour });
      rect.append(el('title', {}, `${label} — ${s.name}: ${fmt(v)}`));
      svg.append(rect);
    });
  });
  return scrolled(box, svg, height);
}

// Horizontal bars of one series, each with its value written at its end, and a value axis.
export function bars(title, labels, values, fmt = (v) => String(v), colour = COLOURS[0], minutes = false) {
  const box = frame(title);
  const barH = 14, gap = 6, left = 190, width = 620, top = 18, valueRoom = 70;
  const height = top + labels.length * (barH + gap) + 4;
  const max = Math.max(1e-9, ...values.map((v) => v || 0));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const x = valueAxis(svg, { left, right: width - valueRoom, top, bottom: height, max, fmt, minutes });
  labels.forEach((label, i) => {
    const y = top + 4 + i * (barH + gap);
    const v = values[i] || 0;
    const name = String(label).length > 26 ? `${String(label).slice(0, 25)}…` : String(label);
    svg.append(el('text', { x: left - 6, y: y + barH - 3, 'text-anchor': 'end' }, name));
    const rect = el('rect', { x: left, y, height: barH, width: Math.max(0, x(v) - left), fill: colour });
    rect.append(el('title', {}, `${label}: ${fmt(v)}`));
    svg.append(rect);
    svg.append(el('text', { x: x(v) + 4, y: y + barH - 3, class: 'rp-value' }, fmt(v)));
  });
  return scrolled(box, svg, height);
}

// Lines over dates.
export function lines(title, labels, series) {
  const box = frame(title, series.map((s) => [s.name, s.colour]));
  const width = 560, height = 200, left = 36, right = 22, bottom = 22;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const x = (i) => left + ((width - left - right) * i) / Math.max(1, labels.length - 1);
  const y = (v) => height - bottom - ((height - bottom - 10) * v) / max;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  for (const v of [0, Math.round(max / 2), max]) { // grid lines at nought, half and the top
    svg.append(el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: v ? '#eef2f6' : '#d9e2ec' }));
    svg.append(el('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  labels.forEach((label, i) => {
    if (labels.length <= 12 || i % Math.ceil(labels.length / 12) === 0) {
      svg.append(el('text', { x: x(i), y: height - 6, 'text-anchor': 'middle' }, label));
    }
  });
  series.forEach((s) => {
    const points = s.values.map((v, i) => `${x(i)},${y(v || 0)}`).join(' ');
    svg.append(el('polyline', { points, fill: 'none', stroke: s.colour, 'stroke-width': 2 }));
  });
  box.append(svg);
  return box;
}

// Ranges around 1.0: a dot at the median ratio, a line to the 90th percentile.
export function ratios(title, labels, medians, p90s) {
  const box = frame(title);
  const left = 150, width = 560, rowH = 16;
  const height = labels.length * rowH + 24;
  const max = Math.max(1.5, ...p90s);
  const x = (v) => left + ((width - left - 20) * v) / max;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  svg.append(el('line', { x1: x(1), x2: x(1), y1: 0, y2: height - 16, stroke: '#2f9e44',
    'stroke-dasharray': '4 3' }));
  svg.append(el('text', { x: x(1), y: height - 4, 'text-anchor': 'middle' }, '1.0'));
  labels.forEach((label, i) => {
    const y = i * rowH + 10;
    svg.append(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, label));
    svg.append(el('line', { x1: x(medians[i]), x2: x(p90s[i]), y1: y, y2: y, stroke: '#9ec5fe',
      'stroke-width': 4 }));
    const dot = el('circle', { cx: x(medians[i]), cy: y, r: 4,
      fill: medians[i] > 1.15 ? '#c92a2a' : '#1f6feb' });
    dot.append(el('title', {}, `${label}: ${medians[i]} / p90 ${p90s[i].toFixed(2)}`));
    svg.append(dot);
  });
  box.append(svg);
  return box;
}
