// Zones tab: zones as coloured polygons, clients in their zone's colour, workload bars per
// zone, and rebalancing by hand: select clients (click or lasso), move them to another zone,
// see the what-if figures, undo, save (a new version of the zones). The side panel is
// sv_zones_panel.js, the lasso sv_lasso.js.
import * as api from './api.js';
import { fmtNumber, t } from './i18n.js';
import { skillName } from './reasons.js';
import { pointInPolygon, startLasso } from './sv_lasso.js';
import { L } from './sv_map.js';
import { ZonesPanel } from './sv_zones_panel.js';
import { esc } from './html.js';

const $ = (id) => document.getElementById(id);

export class ZonesTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.loaded = false;
    this.zoneSet = null;
    this.clients = [];
    this.selected = new Set();
    this.steps = []; // undo stack: each step is [{client_id, from, to}]
    this.preview = null;
    this.markers = new Map();
    this.lasso = null; // while on: the lasso drawn on the map
    this.panel = new ZonesPanel(this);
    $('lasso').addEventListener('click', () => this.toggleLasso());
    $('clear-selection').addEventListener('click', () => this.select([], false));
    $('move').addEventListener('click', () => this.moveSelected());
    $('undo').addEventListener('click', () => this.undo());
    $('discard').addEventListener('click', () => this.discard());
    $('save').addEventListener('click', () => this.save());
    $('lock').addEventListener('click', () => this.lockSelected(true));
    $('unlock').addEventListener('click', () => this.lockSelected(false));
    $('rebalance').addEventListener('click', () => this.rebalance());
    $('client-search').addEventListener('input', () => this.search());
    this.refused = [];
  }

  reset() {
    this.loaded = false;
    this.selected.clear();
    this.steps = [];
    this.preview = null;
    this.refused = [];
  }

  hide() {
    this.setLasso(false);
    this.ctx.map.layers.zones.clearLayers();
    this.ctx.map.layers.clients.clearLayers();
  }

  async show() {
    if (!this.loaded) await this.load();
    this.draw();
  }

  async load() {
    const officeId = this.ctx.officeId();
    try {
      this.clients = await api.zoneClients(officeId);
      this.zoneSet = await api.zones(officeId).catch((exc) => {
        if (exc.status === 404) return null;
        throw exc;
      });
      this.loaded = true;
    } catch (exc) {
      this.ctx.showError(exc);
      this.clients = [];
      this.zoneSet = null;
    }
  }

  zoneById(id) {
    return this.zoneSet?.zones.find((z) => z.id === id);
  }

  // The zone a client is in with the moves not saved yet.
  zoneOf(client) {
    let zone = client.zone_id;
    for (const step of this.steps) for (const m of step) if (m.client_id === client.id) zone = m.to;
    return zone;
  }

  pendingMoves() {
    const moves = new Map();
    for (const step of this.steps) for (const m of step) moves.set(m.client_id, m.to);
    const original = new Map(this.clients.map((c) => [c.id, c.zone_id]));
    return [...moves].filter(([id, to]) => original.get(id) !== to)
      .map(([client_id, zone_id]) => ({ client_id, zone_id }));
  }

  draw() {
    const { layers } = this.ctx.map;
    layers.zones.clearLayers();
    layers.clients.clearLayers();
    this.markers.clear();
    const bounds = L.latLngBounds([]);
    for (const zone of this.zoneSet?.zones ?? []) {
      if (!zone.polygon) continue;
      const shape = L.geoJSON(zone.polygon, {
        style: { color: zone.color, weight: 2, fillColor: zone.color, fillOpacity: 0.12 },
      }).bindTooltip(esc(zone.worker_name || zone.name), { sticky: true });
      shape.addTo(layers.zones);
      bounds.extend(shape.getBounds());
    }
    const buildings = new Map(); // clients at one address share a marker that lists them
    for (const client of this.clients) {
      if (client.lon == null || client.lat == null) continue;
      const key = `${client.lat.toFixed(5)},${client.lon.toFixed(5)}`;
      if (!buildings.has(key)) buildings.set(key, []);
      buildings.get(key).push(client);
      const marker = L.circleMarker([client.lat, client.lon], { radius: 6, weight: 1.5 });
      marker.bindTooltip(() => this.clientTip(client));
      marker.on('click', (e) => {
        if (this.lasso) return;
        const add = e.originalEvent.shiftKey || e.originalEvent.ctrlKey || e.originalEvent.metaKey;
        this.select([client.id], add, true);
      });
      marker.addTo(layers.clients);
      this.markers.set(client.id, marker);
      bounds.extend(marker.getLatLng());
    }
    this.buildingPins = [];
    for (const group of buildings.values()) if (group.length > 1) this.buildingPin(group);
    this.paintMarkers();
    this.panel.render();
    this.ctx.map.frame(bounds);
  }

  // One pin over a building's clients (their own dots lie beneath it, for the lasso): a click
  // lists them, and a click on a name selects that client (Shift adds).
  buildingPin(group) {
    const icon = L.divIcon({
      className: '', iconSize: [24, 24], iconAnchor: [12, 12],
      html: `<div class="building-pin">${group.length}</div>`,
    });
    const pin = L.marker([group[0].lat, group[0].lon], { icon, zIndexOffset: 500, keyboard: true });
    pin.bindTooltip(() => esc(t('zones.building', { n: group.length, address: group[0].address ?? '' })));
    pin.bindPopup(() => this.buildingList(group), { maxWidth: 320 });
    pin.addTo(this.ctx.map.layers.clients);
    this.buildingPins.push({ pin, group });
  }

  buildingList(group) {
    const box = document.createElement('div');
    const head = document.createElement('b');
    head.textContent = group[0].address ?? '';
    const list = document.createElement('ul');
    list.className = 'building-list';
    for (const client of group) {
      const zone = this.zoneById(this.zoneOf(client));
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.clientId = client.id;
      button.classList.toggle('selected', this.selected.has(client.id));
      button.innerHTML = '<span class="swatch"></span><span></span>';
      button.firstChild.style.background = zone?.color ?? '#868e96';
      button.lastChild.textContent = `${client.full_name} · ${zone ? zone.worker_name || zone.name : t('zones.no_zone')}`;
      button.addEventListener('click', (e) => {
        this.select([client.id], e.shiftKey || e.ctrlKey || e.metaKey, true);
        for (const b of list.querySelectorAll('button')) {
          b.classList.toggle('selected', this.selected.has(Number(b.dataset.clientId)));
        }
      });
      item.append(button);
      list.append(item);
    }
    box.append(head, list);
    return box;
  }

  // Clients whose name or address holds what was typed; a click selects one and shows it.
  search() {
    const words = $('client-search').value.trim().toLocaleLowerCase();
    const box = $('client-results');
    if (words.length < 2) {
      box.replaceChildren();
      return;
    }
    const found = this.clients
      .filter((c) => `${c.full_name} ${c.address ?? ''}`.toLocaleLowerCase().includes(words))
      .slice(0, 8);
    box.replaceChildren(...found.map((client) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.clientId = client.id;
      button.innerHTML = '<span></span><span class="muted"></span>';
      button.firstChild.textContent = client.full_name;
      button.lastChild.textContent = client.address ?? '';
      button.addEventListener('click', () => {
        this.select([client.id], false);
        const marker = this.markers.get(client.id);
        if (marker) {
          this.ctx.map.map.setView(marker.getLatLng(), Math.max(this.ctx.map.map.getZoom(), 16));
          marker.openTooltip();
        }
      });
      item.append(button);
      return item;
    }));
    if (!found.length) {
      const none = document.createElement('li');
      none.className = 'muted small';
      none.textContent = t('zones.search_none');
      box.append(none);
    }
  }

  clientTip(client) {
    const zone = this.zoneById(this.zoneOf(client));
    const flags = [];
    if (client.locked) flags.push(t('client.locked'));
    if (client.location_status === 'needs_location') flags.push(t('client.needs_location'));
    for (const s of client.required_skills ?? []) flags.push(t('client.skill', { skill: skillName(s) }));
    for (const c of client.categories ?? []) flags.push(c);
    return `<b>${esc(client.full_name)}</b><br>${esc(client.address)}`
      + `<br>${esc(t(`status.${client.status}`))} · ${esc(zone ? zone.worker_name || zone.name : t('zones.no_zone'))}`
      + `<br>${esc(t('client.weekly', { minutes: fmtNumber(client.weekly_minutes ?? 0) }))}`
      + (flags.length ? `<br><i>${esc(flags.join(', '))}</i>` : '');
  }

  paintMarkers() {
    for (const client of this.clients) {
      const marker = this.markers.get(client.id);
      if (!marker) continue;
      const zone = this.zoneById(this.zoneOf(client));
      const selected = this.selected.has(client.id);
      marker.setStyle({
        fillColor: zone?.color ?? '#868e96',
        fillOpacity: 0.95,
        color: selected ? '#111' : client.locked ? '#111' : '#ffffff',
        weight: selected ? 3.5 : client.locked ? 2.5 : 1.5,
        dashArray: client.locked && !selected ? '2 2' : null,
      });
      marker.setRadius(selected ? 8 : 6);
      if (marker.getElement()) {
        marker.getElement().dataset.clientId = client.id;
        marker.getElement().classList.toggle('selected', selected);
      }
    }
    for (const { pin, group } of this.buildingPins ?? []) {
      pin.getElement()?.firstChild?.classList.toggle('selected', group.some((c) => this.selected.has(c.id)));
    }
  }

  select(ids, add, toggle = false) {
    if (!add) {
      const single = toggle && ids.length === 1 && this.selected.size === 1 && this.selected.has(ids[0]);
      this.selected.clear();
      if (single) ids = [];
    }
    for (const id of ids) {
      if (toggle && add && this.selected.has(id)) this.selected.delete(id);
      else this.selected.add(id);
    }
    this.paintMarkers();
    this.panel.renderSelection();
  }

  // --- lasso: press and drag on the map to circle clients ---------------------------------
  toggleLasso() {
    this.setLasso(!this.lasso);
  }

  setLasso(on) {
    $('lasso').classList.toggle('active', on);
    document.body.classList.toggle('lasso-on', on);
    if (!on) {
      this.lasso?.stop();
      this.lasso = null;
      return;
    }
    if (this.lasso) return;
    this.lasso = startLasso(this.ctx.map.map, (ring, add) => {
      const inside = this.clients
        .filter((c) => c.lon != null && pointInPolygon([c.lon, c.lat], ring))
        .map((c) => c.id);
      this.select(inside, add);
    });
  }

  // --- moves, what-if, undo, save ---------------------------------------------------------
  async moveSelected() {
    const to = Number($('target-zone').value);
    if (!to || !this.selected.size) return;
    const step = [...this.selected]
      .map((id) => this.clients.find((c) => c.id === id))
      .filter((c) => c && this.zoneOf(c) !== to)
      .map((c) => ({ client_id: c.id, from: this.zoneOf(c), to }));
    if (!step.length) return;
    this.steps.push(step);
    this.selected.clear();
    this.refused = [];
    await this.refreshPreview();
  }

  async undo() {
    if (!this.steps.length) return;
    this.steps.pop();
    this.refused = [];
    await this.refreshPreview();
  }

  async discard() {
    this.steps = [];
    this.refused = [];
    await this.refreshPreview();
  }

  // The what-if of the pending moves. Clients the office cannot move (queued, not served) come
  // back named: they leave the pending moves and are listed; the rest is computed.
  async refreshPreview() {
    const moves = this.pendingMoves();
    this.preview = null;
    if (moves.length) {
      try {
        this.preview = await api.previewMoves(this.ctx.officeId(), moves);
        this.ctx.showError(null);
        const refused = this.preview.refused ?? [];
        if (refused.length) {
          const out = new Set(refused.map((r) => r.client_id));
          this.steps = this.steps.map((s) => s.filter((m) => !out.has(m.client_id))).filter((s) => s.length);
          this.refused.push(...refused);
        }
      } catch (exc) {
        this.ctx.showError(exc);
      }
    }
    this.paintMarkers();
    this.panel.render();
  }


  async save() {
    const moves = this.pendingMoves();
    if (!moves.length) return;
    $('save').disabled = true;
    try {
      const answer = await api.saveMoves(this.ctx.officeId(), moves);
      this.reset();
      await this.load();
      this.draw();
      this.ctx.showError(null);
      this.flash(t('zones.saved', { version: answer.version, moved: answer.moved }));
    } catch (exc) {
      this.ctx.showError(exc);
    } finally {
      $('save').disabled = false;
    }
  }

  async lockSelected(locked) {
    if (!this.selected.size) return;
    try {
      await api.lockClients(this.ctx.officeId(), [...this.selected], locked);
      for (const c of this.clients) if (this.selected.has(c.id)) c.locked = locked;
      this.paintMarkers();
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  // Automatic rebalancing: with zones already in place it is a what-if first, its moves pending
  // like moves by hand (bars, map, undo), saved only with "Save". The first zones of an office
  // have nothing to compare with and are saved at once.
  async rebalance() {
    if (this.pendingMoves().length && !confirm(t('zones.rebalance_discards'))) return;
    $('rebalance').disabled = true;
    this.flash(t('zones.rebalancing'));
    try {
      if (this.zoneSet) {
        const answer = await api.rebalance(this.ctx.officeId(), false);
        const zoneOfWorker = new Map(this.zoneSet.zones.map((z) => [z.worker_id, z.id]));
        const byId = new Map(this.clients.map((c) => [c.id, c]));
        const step = (answer.moves ?? [])
          .map((m) => ({ client: byId.get(m.client_id), to: zoneOfWorker.get(m.worker_id) }))
          .filter((m) => m.client && m.to && this.zoneOf(m.client) !== m.to)
          .map((m) => ({ client_id: m.client.id, from: this.zoneOf(m.client), to: m.to }));
        this.steps = step.length ? [step] : [];
        this.refused = [];
        await this.refreshPreview();
        this.flash(t('zones.rebalance_preview', { n: step.length }));
        return;
      }
      const answer = await api.rebalance(this.ctx.officeId(), true);
      this.reset();
      await this.load();
      this.draw();
      this.flash(t('zones.rebalanced', { moved: answer.moved, version: answer.version }));
    } catch (exc) {
      this.ctx.showError(exc);
    } finally {
      $('rebalance').disabled = false;
    }
  }

  flash(text) {
    const box = $('zones-saved');
    box.textContent = text;
    box.hidden = false;
  }}
