// Clients tab: the office's clients (search by name or address, filters by status, zone,
// category and worker, a page at a time), the queue (every queued, refused or suspended client
// stays there until someone decides, with when they were last looked at), and a client's card:
// the point on the map (draggable to fix a wrong geocoding), contacts, notes and door code,
// status with its history, the care programme and the visits with their flags and ratings.
import * as api from './api.js';
import { errorText, fmtTime, has, lang, t, today } from './i18n.js';
import { fitText } from './fit_text.js';
import { L } from './sv_map.js';
import { esc } from './html.js';
import { el as h } from './dom.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const STATUSES = ['enrolled', 'queued', 'refused', 'suspended', 'discharged'];


function fmtDay(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(lang() === 'ru' ? 'ru-RU' : 'en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

function fmtInstantDay(iso) {
  return iso ? fmtDay(new Intl.DateTimeFormat('en-CA').format(new Date(iso))) : '';
}

const statusBadge = (status) => h('span', { class: `badge st-${status}`, text: t(`status.${status}`) });

export class ClientsTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.root = $('clients-root');
    this.view = 'list';
    this.query = { q: '', status: '', zone_id: '', worker_id: '', category: '', archived: false };
    this.offset = 0;
    this.queueOffset = 0;
    this.names = null; // zones and workers of the office, for the filters
    this.card = null; // the open client
    this.marker = null;
    this.searchTimer = null;
  }

  reset() {
    this.names = null;
    this.card = null;
    this.offset = 0;
    this.queueOffset = 0;
    this.view = this.view === 'card' ? 'list' : this.view;
  }

  hide() {
    this.ctx.map.layers.clients.clearLayers();
    this.marker = null;
  }

  async show() {
    if (!this.names) await this.loadNames();
    if (this.view === 'card' && this.card) await this.openCard(this.card.id);
    else if (this.view === 'queue') await this.showQueue();
    else await this.showList();
  }

  async loadNames() {
    const officeId = this.ctx.officeId();
    const [zones, workers] = await Promise.all([
      api.zones(officeId).catch(() => ({ zones: [] })),
      api.workers(officeId).catch(() => ({ items: [] })),
    ]);
    this.names = {
      zones: zones?.zones ?? [],
      workers: (workers.items ?? workers).filter((w) => w.active !== false),
    };
  }

  switcher() {
    const button = (name, key) => h('button', {
      class: this.view === name ? 'active' : '',
      id: `clients-view-${name}`,
      'aria-pressed': String(this.view === name),
      onclick: () => (name === 'queue' ? this.showQueue() : this.showList()),
    }, t(key));
    return h('div', { class: 'toolbar' }, button('list', 'cl.all'), button('queue', 'cl.queue'));
  }

  // --- the list -------------------------------------------------------------------------

  filters() {
    const q = this.query;
    const option = (value, text, selected) => new Option(text, value, false, String(selected) === String(value));
    const search = h('input', {
      type: 'search', id: 'cl-search', value: q.q, placeholder: t('cl.search'),
      'aria-label': t('cl.search'), autocomplete: 'off',
    });
    search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.applyFilter('q', search.value.trim()), 250);
    });
    const select = (id, key, label, options) => {
      const el = h('select', { id, 'aria-label': t(label) });
      el.append(option('', t(label), q[key]), ...options.map(([v, text]) => option(v, text, q[key])));
      el.addEventListener('change', () => this.applyFilter(key, el.value));
      return el;
    };
    const category = h('input', {
      type: 'text', id: 'cl-category', value: q.category, placeholder: t('cl.category'),
      'aria-label': t('cl.category'),
    });
    category.addEventListener('change', () => this.applyFilter('category', category.value.trim()));
    const archived = h('input', { type: 'checkbox', id: 'cl-archived' });
    archived.checked = q.archived;
    archived.addEventListener('change', () => this.applyFilter('archived', archived.checked));
    return h('div', { class: 'cl-filters' },
      search,
      select('cl-status', 'status', 'cl.any_status', STATUSES.map((s) => [s, t(`status.${s}`)])),
      select('cl-zone', 'zone_id', 'cl.any_zone',
        this.names.zones.map((z) => [z.id, z.worker_name || z.name])),
      select('cl-worker', 'worker_id', 'cl.any_worker',
        this.names.workers.map((w) => [w.id, w.full_name])),
      category,
      h('label', { class: 'inline small' }, archived, ' ', t('cl.archived')));
  }

  async applyFilter(key, value) {
    this.query[key] = value;
    this.offset = 0;
    await this.loadList();
  }

  async showList() {
    this.view = 'list';
    this.lastList = 'list';
    this.hide();
    this.root.replaceChildren(this.switcher(), this.filters(),
      h('div', { id: 'cl-count', class: 'small muted' }), h('ul', { class: 'cl-list', id: 'cl-list' }),
      h('div', { class: 'toolbar', id: 'cl-pager' }));
    await this.loadList();
  }

  async loadList() {
    const q = this.query;
    let page;
    try {
      page = await api.clients(this.ctx.officeId(), {
        q: q.q, status: q.status, zone_id: q.zone_id, worker_id: q.worker_id,
        category: q.category, archived: q.archived ? 'true' : '', limit: PAGE, offset: this.offset,
      });
    } catch (exc) {
      this.ctx.showError(exc);
      return;
    }
    const list = $('cl-list');
    if (!list) return;
    list.replaceChildren(...page.items.map((c) => h('li', {},
      h('button', { class: 'link', 'data-client': c.id, onclick: () => this.openCard(c.id) },
        c.full_name),
      ' ', statusBadge(c.status),
      c.location_status === 'needs_location' ? h('span', { class: 'badge bad', text: t('client.needs_location') }) : null,
      h('div', { class: 'small muted', text: c.address }))));
    const last = Math.min(this.offset + page.items.length, page.total);
    $('cl-count').textContent = page.total
      ? t('cl.shown', { from: page.total ? this.offset + 1 : 0, to: last, total: page.total })
      : t('cl.none');
    const prev = h('button', { id: 'cl-prev', disabled: this.offset === 0,
      onclick: () => { this.offset = Math.max(0, this.offset - PAGE); this.loadList(); } }, t('cl.prev'));
    const next = h('button', { id: 'cl-next', disabled: last >= page.total,
      onclick: () => { this.offset += PAGE; this.loadList(); } }, t('cl.next'));
    $('cl-pager').replaceChildren(prev, next);
  }

  // --- the queue ------------------------------------------------------------------------

  async showQueue() {
    this.view = 'queue';
    this.lastList = 'queue';
    this.fitsFound = null;  // a fresh answer each time the queue opens
    this.hide();
    this.root.replaceChildren(this.switcher(), h('p', { class: 'small muted', text: t('cl.queue_rule') }),
      h('div', { id: 'cl-queue-count', class: 'small muted' }), h('div', { id: 'cl-queue-week', class: 'small muted' }),
      h('ul', { class: 'cl-list', id: 'cl-queue' }),
      h('div', { class: 'toolbar', id: 'cl-queue-pager' }));
    await this.loadQueue();
  }

  // Who on the queue fits now: each client's best place (worker, days, minutes and travel
  // added) in the office's newest week plan that has not ended, from its draft programme.
  // Asked once each time the queue opens; its pages and "looked at" marks reuse the answer.
  async weekFits() {
    const week = (await api.weeksOf(this.ctx.officeId())).find((w) => w.end >= today());
    return { week, fits: week ? await api.queuedFits(week.id) : [] };
  }

  async markFits() {
    const note = $('cl-queue-week');
    let found;
    try {
      this.fitsFound ??= this.weekFits();
      found = await this.fitsFound;
    } catch (exc) {
      this.fitsFound = null;
      if (note) note.textContent = errorText(exc);
      return;
    }
    if (!note) return;
    note.textContent = found.week
      ? t('cl.queue_week', { start: fmtDay(found.week.start), end: fmtDay(found.week.end) })
      : t('cl.queue_no_week');
    for (const f of found.fits) {
      const row = document.querySelector(`[data-queue-client="${f.client_id}"]`);
      if (!row || row.querySelector('[data-fit]')) continue;
      row.append(h('div', { class: `small ${f.options[0] ? 'fit' : 'nofit'}`, 'data-fit': f.client_id, text: fitText(f) }));
    }
  }

  async loadQueue() {
    let page;
    try {
      page = await api.clientQueue(this.ctx.officeId(), { limit: PAGE, offset: this.queueOffset, today: today() });
    } catch (exc) {
      this.ctx.showError(exc);
      return;
    }
    const list = $('cl-queue');
    if (!list) return;
    const editable = this.ctx.canEdit();
    list.replaceChildren(...page.items.map((item) => {
      const c = item.client;
      const seen = item.reviewed_at
        ? t('cl.seen', { date: fmtInstantDay(item.reviewed_at), who: item.reviewed_by_name || '' })
        : t('cl.never_seen');
      const period = [item.since && t('cl.since', { date: fmtDay(item.since) }),
        item.until ? t('cl.until', { date: fmtDay(item.until) }) : (item.why !== 'queued' ? t('cl.no_end_date') : '')]
        .filter(Boolean).join(', ');
      return h('li', { 'data-queue-client': c.id, class: item.reviewed_at ? '' : 'unseen' },
        h('button', { class: 'link', onclick: () => this.openCard(c.id) }, c.full_name), ' ',
        statusBadge(item.status),
        h('div', { class: 'small', text: period }),
        item.reason ? h('div', { class: 'small muted', text: item.reason }) : null,
        h('div', { class: `small seen ${item.reviewed_at ? '' : 'error'}`, text: seen }),
        editable ? h('button', { class: 'small-button', 'data-review': c.id,
          onclick: async () => { await this.review(c.id); await this.loadQueue(); } }, t('cl.mark_seen')) : null);
    }));
    $('cl-queue-count').textContent = t('cl.queue_total', { n: page.total });
    this.markFits();
    const prev = h('button', { disabled: this.queueOffset === 0,
      onclick: () => { this.queueOffset = Math.max(0, this.queueOffset - PAGE); this.loadQueue(); } }, t('cl.prev'));
    const next = h('button', { disabled: this.queueOffset + page.items.length >= page.total,
      onclick: () => { this.queueOffset += PAGE; this.loadQueue(); } }, t('cl.next'));
    $('cl-queue-pager').replaceChildren(prev, next);
  }

  async review(clientId) {
    try {
      await api.markReviewed(clientId);
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  // --- the card -------------------------------------------------------------------------

  async openCard(clientId) {
    this.ctx.showError(null);
    let client, history, versions, visits;
    try {
      [client, history, versions, visits] = await Promise.all([
        api.client(clientId),
        api.statusHistory(clientId),
        api.programmeVersions(clientId).catch(() => []),
        api.clientVisits(clientId).catch(() => ({ items: [], total: 0 })),
      ]);
    } catch (exc) {
      this.ctx.showError(exc);
      return;
    }
    this.view = 'card';
    this.card = client;
    const editable = this.ctx.canEdit();
    const back = h('button', { id: 'cl-back', onclick: () => (this.lastList === 'queue' ? this.showQueue() : this.showList()) }, t('cl.back'));
    this.root.replaceChildren(
      h('div', { class: 'toolbar' }, back),
      h('h2', { id: 'cl-name' }, client.full_name, ' ', statusBadge(client.status),
        client.archived_at ? h('span', { class: 'badge', text: t('cl.archived_badge') }) : null),
      this.locationBlock(client, editable),
      this.contactsBlock(client, editable),
      this.statusBlock(client, history.items ?? [], editable),
      this.programmeBlock(client, versions),
      this.visitsBlock(visits));
    this.drawPoint(client, editable);
  }

  locationBlock(client, editable) {
    const status = h('span', { id: 'cl-location-status', class: 'small muted',
      text: t(`cl.location.${client.location_status}`) });
    const save = h('button', { id: 'cl-save-point', class: 'primary', hidden: true,
      onclick: () => this.savePoint() }, t('cl.save_point'));
    const hint = editable ? h('div', { class: 'small muted', text: t('cl.drag_hint') }) : null;
    return h('section', { class: 'cl-block' },
      h('div', { id: 'cl-address' }, client.address), status, hint,
      h('div', { class: 'toolbar' }, save,
        h('span', { id: 'cl-point-saved', class: 'small', hidden: true, text: t('cl.point_saved') })));
  }

  drawPoint(client, editable) {
    const layer = this.ctx.map.layers.clients;
    layer.clearLayers();
    const map = this.ctx.map.map;
    const at = client.location
      ? [client.location.lat, client.location.lon]
      : [map.getCenter().lat, map.getCenter().lng];
    const icon = L.divIcon({ className: 'cl-pin', html: `<span title="${esc(client.full_name)}"></span>`,
      iconSize: [22, 22], iconAnchor: [11, 22] });
    this.marker = L.marker(at, { icon, draggable: editable, keyboard: true, title: client.full_name,
      autoPan: true }).addTo(layer);
    this.marker.on('dragend', () => {
      $('cl-save-point').hidden = false;
      $('cl-point-saved').hidden = true;
      const p = this.marker.getLatLng();
      $('cl-location-status').textContent = t('cl.point_moved', { lat: p.lat.toFixed(5), lon: p.lng.toFixed(5) });
    });
    map.setView(at, Math.max(map.getZoom(), 16), { animate: false });
    this.root.dataset.point = '1'; // the pin is where it stays: it may be dragged
  }

  async savePoint() {
    const p = this.marker.getLatLng();
    try {
      const client = await api.updateClient(this.card.id, { location: { lon: p.lng, lat: p.lat } });
      this.card = client;
      $('cl-save-point').hidden = true;
      $('cl-point-saved').hidden = false;
      $('cl-location-status').textContent = t(`cl.location.${client.location_status}`);
    } catch (exc) {
      this.ctx.showError(exc);
    }
  }

  contactsBlock(client, editable) {
    const field = (key, label, multiline) => {
      const input = multiline
        ? h('textarea', { id: `cl-${key}`, rows: 3, disabled: !editable })
        : h('input', { id: `cl-${key}`, type: 'text', disabled: !editable });
      input.value = client[key] ?? '';
      return h('label', {}, h('span', { text: t(label) }), input);
    };
    const saved = h('span', { id: 'cl-contacts-saved', class: 'small', hidden: true, text: t('cl.saved') });
    const save = editable ? h('button', { id: 'cl-save-contacts', onclick: async () => {
      try {
        this.card = await api.updateClient(client.id, {
          phone: $('cl-phone').value.trim(), door_code: $('cl-door_code').value.trim(),
          notes: $('cl-notes').value,
        });
        saved.hidden = false;
      } catch (exc) {
        this.ctx.showError(exc);
      }
    } }, t('cl.save')) : null;
    return h('section', { class: 'cl-block' }, h('h2', { text: t('cl.contacts') }),
      field('phone', 'cl.phone'), field('door_code', 'cl.door_code'), field('notes', 'cl.notes', true),
      h('div', { class: 'toolbar' }, save, saved));
  }

  statusBlock(client, history, editable) {
    const rows = history.slice().reverse().map((ch) => h('li', {},
      h('span', {}, statusBadge(ch.status), ' ', fmtDay(ch.since),
        ch.until ? ` — ${fmtDay(ch.until)}` : ''),
      h('span', { class: 'small muted', text: ch.reason })));
    const block = h('section', { class: 'cl-block' }, h('h2', { text: t('cl.status_history') }),
      h('ul', { class: 'plan-list', id: 'cl-history' }, rows));
    if (!editable) return block;
    const status = h('select', { id: 'cl-new-status', 'aria-label': t('cl.new_status') },
      STATUSES.map((s) => new Option(t(`status.${s}`), s, false, s === client.status)));
    const reason = h('input', { id: 'cl-status-reason', type: 'text', placeholder: t('cl.reason'), 'aria-label': t('cl.reason') });
    const until = h('input', { id: 'cl-status-until', type: 'date', 'aria-label': t('cl.until_label') });
    const change = h('button', { id: 'cl-change-status', class: 'primary', onclick: async () => {
      try {
        await api.changeStatus(client.id, { status: status.value, reason: reason.value.trim(), until: until.value || null });
        await this.openCard(client.id);
      } catch (exc) {
        this.ctx.showError(exc);
      }
    } }, t('cl.change_status'));
    const archiveReason = h('input', { id: 'cl-archive-reason', type: 'text', placeholder: t('cl.archive_reason'), 'aria-label': t('cl.archive_reason') });
    const archive = h('button', { id: 'cl-archive', class: 'danger', onclick: async () => {
      try {
        await api.archiveClient(client.id, archiveReason.value.trim());
        await this.openCard(client.id);
      } catch (exc) {
        this.ctx.showError(exc);
      }
    } }, t('cl.archive'));
    block.append(
      h('div', { class: 'cl-form' }, status, reason, h('label', { class: 'small' }, h('span', { text: t('cl.until_label') }), until), change),
      client.archived_at ? null : h('div', { class: 'cl-form' }, archiveReason, archive,
        h('div', { class: 'small muted', text: t('cl.archive_hint') })));
    return block;
  }

  programmeBlock(client, versions) {
    const link = h('a', { class: 'button', id: 'cl-open-programme',
      href: `/supervisor/programme?client=${client.id}` }, t('cl.open_programme'));
    if (!versions.length) {
      return h('section', { class: 'cl-block' }, h('h2', { text: t('cl.programme') }),
        h('p', { class: 'small muted', text: t('cl.no_programme') }), link);
    }
    const words = (line) => (lang() === 'ru' ? line.recurrence_ru : line.recurrence_en) || line.recurrence;
    const rows = versions.slice(0, 3).map((v) => h('li', { 'data-version': v.id },
      h('div', {}, t('prog.version', { n: v.version }), ' ',
        h('span', { class: `badge ${v.status}`, text: t(`prog.status.${v.status}`) }), ' ',
        h('span', { class: 'small muted',
          text: `${fmtDay(v.valid_from)} — ${v.valid_to ? fmtDay(v.valid_to) : t('prog.open_ended')}` })),
      h('ul', { class: 'small' }, v.lines.map((ln) =>
        h('li', {}, `${ln.service_code} ${ln.service_name} — ${words(ln)}`)))));
    return h('section', { class: 'cl-block' }, h('h2', { text: t('cl.programme') }),
      h('ul', { class: 'cl-versions' }, rows), link);
  }

  visitsBlock(visits) {
    const rows = (visits.items ?? []).map((v) => {
      const stars = v.ratings.map((r) => h('span', { class: 'rating', title: r.comment || '' },
        `${'★'.repeat(r.rating)}${'☆'.repeat(5 - r.rating)}${r.service_code ? ` ${r.service_code}` : ''}`,
        r.comment ? h('span', { class: 'small muted', text: ` «${r.comment}»` }) : null));
      return h('li', { 'data-visit': v.id },
        h('div', {}, fmtDay(v.day), ' ', v.worker_name, ' ',
          h('span', { class: 'small muted', text: [fmtTime(v.arrived_at), fmtTime(v.departed_at)].filter(Boolean).join('–') }),
          ' ', h('span', { class: 'small', text: t('cl.minutes', { n: v.minutes }) })),
        h('div', {}, v.flags.map((f) => h('span', { class: `badge flag-${f}`, text: has(`cl.flag.${f}`) ? t(`cl.flag.${f}`) : f })), stars));
    });
    return h('section', { class: 'cl-block' }, h('h2', { text: t('cl.visits', { n: visits.total ?? 0 }) }),
      rows.length ? h('ul', { class: 'cl-visits', id: 'cl-visits' }, rows)
        : h('p', { class: 'small muted', text: t('cl.no_visits') }));
  }
}
