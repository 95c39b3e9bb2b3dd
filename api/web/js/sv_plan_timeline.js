// The plan tab's timeline: one row per worker, the shift with visits as blocks, travel and
// the lunch break visible; an editable plan's visits are dragged to another worker's row or
// picked by keyboard or touch (the move panel takes it from there).
import { fmtTime, minutesOfDay, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

// "Ivanova Anna Petrovna" -> "Ivanova A.P.": a name short enough for a timeline row or a pin.
export function shortName(fullName) {
  const [family, ...rest] = String(fullName ?? '').split(/\s+/).filter(Boolean);
  return [family, rest.map((p) => `${p[0]}.`).join('')].filter(Boolean).join(' ');
}

export class PlanTimeline {
  constructor(tab) {
    this.tab = tab;
    this.dragging = null; // the visit being dragged to another row
  }

  draw() {
    const box = $('timeline');
    const routes = this.tab.plan?.routes ?? [];
    box.hidden = !routes.length;
    if (!routes.length) return;
    let from = 24 * 60;
    let to = 0;
    for (const r of routes) {
      from = Math.min(from, minutesOfDay(r.start));
      to = Math.max(to, minutesOfDay(r.end));
    }
    from = Math.floor(from / 60) * 60;
    to = Math.ceil(to / 60) * 60;
    const span = Math.max(60, to - from);
    const pct = (iso) => ((minutesOfDay(iso) - from) / span) * 100;
    const width = (a, b) => Math.max(0.4, pct(b) - pct(a));

    const head = document.createElement('div');
    head.className = 'tl-head';
    head.innerHTML = '<div class="tl-name"></div><div class="tl-track"></div>';
    for (let m = from; m < to; m += 60) {
      const hour = document.createElement('div');
      hour.className = 'tl-hour';
      hour.style.left = `${((m - from) / span) * 100}%`;
      hour.textContent = `${String(m / 60).padStart(2, '0')}:00`;
      head.lastChild.append(hour);
    }
    const rows = routes.map((route, index) => this.row(route, index, pct, width));
    box.replaceChildren(head, ...rows);
  }

  row(route, index, pct, width) {
    const colour = this.tab.routeColour(index, route.worker_id);
    const row = document.createElement('div');
    row.className = 'tl-row';
    row.dataset.workerId = route.worker_id;
    const name = document.createElement('div');
    name.className = 'tl-name';
    name.innerHTML = '<span class="swatch"></span>';
    name.firstChild.style.background = colour;
    name.append(`${shortName(this.tab.workerName(route))} · ${route.stops?.length ?? 0}`);
    name.title = this.tab.workerName(route);
    const track = document.createElement('div');
    track.className = 'tl-track';
    const block = (cls, a, b) => {
      const el = document.createElement('div');
      el.className = cls;
      el.style.left = `${pct(a)}%`;
      el.style.width = `${width(a, b)}%`;
      track.append(el);
      return el;
    };
    block('tl-shift', route.start, route.end);
    if (route.break_start && route.break_end) {
      const lunch = block('tl-break', route.break_start, route.break_end);
      lunch.title = route.lunch ? this.tab.lunchText(route.lunch) : t('plan.break');
      if (route.lunch) lunch.dataset.place = route.lunch.place;
      if (route.lunch?.place === 'walk') lunch.classList.add('in-walk');
    }
    for (const stop of route.stops ?? []) {
      if (stop.travel_s > 0) {
        const leave = new Date(new Date(stop.arrival).getTime() - stop.travel_s * 1000).toISOString();
        block('tl-travel', leave, stop.arrival).title = t('plan.travel', { minutes: Math.round(stop.travel_s / 60) });
      }
      const visit = block('tl-visit', stop.start, stop.end);
      visit.style.background = colour;
      visit.textContent = `${stop.seq}. ${shortName(this.tab.clientName(stop))}`;
      visit.title = `${fmtTime(stop.start)}–${fmtTime(stop.end)} ${this.tab.clientName(stop)}\n`
        + (stop.services ?? []).map((s) => `• ${s.name} (${s.minutes} ${t('unit.min')})`).join('\n')
        + this.tab.whyLine(stop, '\n');
      visit.dataset.stopId = stop.id;
      const state = this.tab.visitState.get(stop.id);
      if (state) visit.classList.add(state);
      if (this.tab.editable()) {
        this.makeDraggable(visit, stop);
        this.makePickable(visit, stop);
      }
    }
    row.append(name, track);
    row.addEventListener('dragover', (e) => {
      if (!this.dragging) return;
      e.preventDefault();
      row.classList.add('drop-target');
    });
    row.addEventListener('dragleave', () => row.classList.remove('drop-target'));
    row.addEventListener('drop', (e) => {
      e.preventDefault();
      row.classList.remove('drop-target');
      const stop = this.dragging;
      this.dragging = null;
      if (!stop) return;
      const position = this.dropPosition(route, track, e.clientX);
      this.tab.moves.move(stop.id, route.worker_id, position);
    });
    return row;
  }

  // Where among the worker's visits the drop landed (0 = first visit of the day).
  dropPosition(route, track, clientX) {
    const rect = track.getBoundingClientRect();
    const x = (clientX - rect.left) / rect.width;
    const blocks = [...track.querySelectorAll('.tl-visit')];
    const before = blocks.filter((b) => {
      const r = b.getBoundingClientRect();
      return (r.left + r.width / 2 - rect.left) / rect.width < x;
    });
    return Math.min(before.length, route.stops?.length ?? 0);
  }

  makePickable(el, stop) {
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', t('plan.move.pick', {
      client: this.tab.clientName(stop), time: `${fmtTime(stop.start)}–${fmtTime(stop.end)}`,
    }));
    if (this.tab.moves.picked?.id === stop.id) el.classList.add('picked');
    el.addEventListener('click', () => this.tab.moves.pick(stop));
    el.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      this.tab.moves.pick(stop);
    });
  }

  makeDraggable(el, stop) {
    el.draggable = true;
    el.addEventListener('dragstart', (e) => {
      this.dragging = stop;
      e.dataTransfer.setData('text/plain', String(stop.id));
      e.dataTransfer.effectAllowed = 'move';
    });
    el.addEventListener('dragend', () => { this.dragging = null; });
  }
}
