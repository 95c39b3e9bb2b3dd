// The zones tab's side panel: a row per zone with its workload bar (and what the pending moves
// would make of it), the zones to move to, the pending moves, the clients the office cannot
// move, and what is selected.
import { fmtNumber, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const BAR_SCALE = 1.25; // a bar's full width is 125% of the worker's hours; the mark is 100%

export class ZonesPanel {
  constructor(tab) {
    this.tab = tab;
  }

  render() {
    const zones = this.tab.zoneSet?.zones ?? [];
    $('no-zones').hidden = zones.length > 0;
    $('zone-version').textContent = this.tab.zoneSet ? t('zones.version', { version: this.tab.zoneSet.version }) : '';
    const after = new Map((this.tab.preview?.zones ?? []).map((z) => [z.zone_id, z.after]));
    $('zone-list').replaceChildren(...zones.map((zone) => this.zoneRow(zone, after.get(zone.id))));
    $('target-zone').replaceChildren(
      new Option(t('zones.pick_target'), ''),
      ...zones.map((z) => new Option(z.worker_name || z.name, z.id)),
    );
    const moves = this.tab.pendingMoves();
    $('pending').hidden = !moves.length;
    $('pending').textContent = t('zones.pending', { n: moves.length });
    $('save').disabled = !moves.length;
    $('undo').disabled = !this.tab.steps.length;
    $('discard').disabled = !this.tab.steps.length;
    this.renderRefused();
    this.renderSelection();
  }

  zoneRow(zone, after) {
    const base = zone.figures ?? {};
    const shown = after ?? base;
    const share = shown.load_share ?? 0;
    const row = document.createElement('div');
    row.className = 'zone-row';
    row.dataset.zoneId = zone.id;
    row.dataset.share = share;
    row.dataset.workload = shown.workload_minutes ?? 0;
    const delta = after ? (after.workload_minutes ?? 0) - (base.workload_minutes ?? 0) : 0;
    const clientsCount = shown.clients ?? 0;
    row.innerHTML = `
      <div class="head">
        <span class="swatch"></span><span class="name"></span>
        <span class="figs"></span>
      </div>
      <div class="bar"><div class="fill"></div><div class="mark"></div></div>
      <div class="small muted detail"></div>`;
    row.querySelector('.swatch').style.background = zone.color;
    row.querySelector('.name').textContent = zone.worker_name || zone.name;
    row.querySelector('.figs').textContent = `${Math.round(share * 100)}%`;
    if (delta) {
      const d = document.createElement('span');
      d.className = `delta ${delta > 0 ? 'up' : 'down'}`;
      d.textContent = `${delta > 0 ? '▲ +' : '▼ '}${fmtNumber(delta)}`;
      row.querySelector('.figs').append(d);
    }
    const fill = row.querySelector('.fill');
    fill.style.width = `${Math.min(share / BAR_SCALE, 1) * 100}%`;
    fill.style.background = zone.color;
    fill.classList.toggle('over', share > 1);
    row.querySelector('.mark').style.left = `${100 / BAR_SCALE}%`;
    row.querySelector('.detail').textContent = t('zones.figures', {
      clients: clientsCount,
      workload: fmtNumber(shown.workload_minutes ?? 0),
      hours: fmtNumber(shown.worker_minutes ?? 0),
      travel: fmtNumber(shown.travel_minutes ?? 0),
    });
    row.addEventListener('click', () => {
      const ids = this.tab.clients.filter((c) => this.tab.zoneOf(c) === zone.id).map((c) => c.id);
      this.tab.select(ids, false);
    });
    return row;
  }

  renderSelection() {
    const n = this.tab.selected.size;
    $('selection-count').textContent = n ? t('zones.selected', { n }) : t('zones.select_hint');
    $('move').disabled = !n;
    $('lock').disabled = !n;
    $('unlock').disabled = !n;
  }

  renderRefused() {
    const box = $('zones-refused');
    box.hidden = !this.tab.refused.length;
    if (!this.tab.refused.length) return;
    const head = document.createElement('div');
    head.textContent = t('zones.refused', { n: this.tab.refused.length });
    const list = document.createElement('ul');
    for (const r of this.tab.refused) {
      const item = document.createElement('li');
      item.dataset.clientId = r.client_id;
      const name = r.client_name ?? t('client.numbered', { id: r.client_id });
      const why = r.code === 'not_served' && r.client_status
        ? t('zones.refused.not_served', { status: t(`status.${r.client_status}`) })
        : t(`zones.refused.${r.code}`);
      item.textContent = `${name}: ${why}`;
      list.append(item);
    }
    box.replaceChildren(head, list);
    box.scrollIntoView({ block: 'nearest' });
  }
}
