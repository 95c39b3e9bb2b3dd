// The head of department's review: a day's or a month's visits per worker with their flags;
// accept, reject or correct each (minutes on site, services) with a reason; record a rating a
// client gave by telephone; and the worker's monthly report (signed off or sent back).
import * as api from './api.js';
import { fmtShortDate, fmtTime, t } from './i18n.js';
import { fmtMonth } from './phone_month.js';

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const minutes = (n) => (n === null || n === undefined ? '' : String(Math.round(n)));

export class ReviewTab {
  constructor(ctx) {
    this.ctx = ctx;
    this.data = null;
    this.catalogue = null;
    this.workers = [];
    for (const id of ['review-period', 'review-worker', 'review-flagged']) {
      $(id).addEventListener('change', () => this.load());
    }
    $('review-accept-clean').addEventListener('click', () => this.acceptClean());
    $('review-print').addEventListener('click', () => window.print());
    $('review-month-xlsx').addEventListener('click', () => this.download());
    $('review-month-sign').addEventListener('click', () => this.monthAction('sign'));
    $('review-month-back').addEventListener('click', () => this.monthAction('back'));
  }

  reset() {
    this.data = null;
    this.catalogue = null;
    this.workers = [];
  }

  hide() {
    const main = document.querySelector('.sv-main');
    if (!main.classList.contains('wide')) return;
    main.classList.remove('wide');
    this.ctx.map.map.invalidateSize(); // the map comes back: Leaflet measures it again
  }

  async show() {
    document.querySelector('.sv-main').classList.add('wide');
    if (!this.workers.length) {
      const rows = await api.workers(this.ctx.officeId()).catch(() => ({ items: [] }));
      this.workers = rows.items ?? rows;
      const select = $('review-worker');
      const keep = select.value;
      select.replaceChildren(new Option(t('review.all_workers'), ''),
        ...this.workers.map((w) => new Option(w.full_name, w.id)));
      if ([...select.options].some((o) => o.value === keep)) select.value = keep;
    }
    await this.load();
  }

  month() {
    return this.ctx.day().slice(0, 7);
  }

  query() {
    const byMonth = $('review-period').value === 'month';
    // a month is read worker by worker (a department's month is thousands of visits)
    if (byMonth && !$('review-worker').value && this.workers.length) {
      $('review-worker').value = String(this.workers[0].id);
    }
    return {
      day: byMonth ? undefined : this.ctx.day(),
      month: byMonth ? this.month() : undefined,
      worker_id: $('review-worker').value || undefined,
    };
  }

  async load() {
    const section = $('panel-review');
    section.dataset.loaded = '0';
    // the visits and the month's report are fetched together and shown together, so the
    // report's figures never lag behind a decision on screen
    const month = this.fetchMonth();
    try {
      this.data = await api.reviewList(this.ctx.officeId(), this.query());
      this.ctx.showError(null);
    } catch (exc) {
      this.ctx.showError(exc);
      this.data = { visits: [] };
    }
    const report = await month;
    this.render();
    this.showMonth(report);
    section.dataset.loaded = '1';
  }

  render() {
    const onlyFlagged = $('review-flagged').checked;
    const visits = this.data.visits.filter((v) => !onlyFlagged || v.flags.length || v.review);
    const unreviewed = this.data.visits.filter((v) => v.status === 'done' && !v.review).length;
    $('review-summary').textContent = t('review.summary', {
      n: this.data.visits.length, unreviewed,
    });
    const body = $('review-rows');
    const rows = [];
    let worker = null;
    for (const visit of visits) {
      if (visit.worker_id !== worker) {
        worker = visit.worker_id;
        const mine = this.data.visits.filter((v) => v.worker_id === worker);
        rows.push(el('tr', { className: 'review-worker' }, el('th', {
          colSpan: 10,
          textContent: t('review.worker_head', {
            name: visit.worker_name,
            n: mine.length,
            unreviewed: mine.filter((v) => v.status === 'done' && !v.review).length,
          }),
        })));
      }
      rows.push(this.row(visit));
    }
    if (!visits.length) {
      rows.push(el('tr', {}, el('td', { colSpan: 10, className: 'muted', textContent: t('review.none') })));
    }
    body.replaceChildren(...rows);
  }

  row(visit) {
    const tr = el('tr', { className: `review-row review-${visit.review ?? 'open'}` });
    tr.dataset.visitId = visit.id;
    tr.dataset.review = visit.review ?? '';
    const times = [
      visit.planned_start ? t('review.planned_at', { time: fmtTime(visit.planned_start) }) : '',
      visit.arrived_at ? `${fmtTime(visit.arrived_at)}–${visit.departed_at ? fmtTime(visit.departed_at) : '…'}` : t(`review.status.${visit.status}`),
    ].filter(Boolean).join(' · ');
    const onSite = el('td', { className: 'num' });
    if (visit.review === 'corrected' && visit.corrected_minutes !== null) {
      onSite.append(el('s', { textContent: minutes(visit.on_site_min) }), ' ',
        el('strong', { className: 'corrected', textContent: minutes(visit.corrected_minutes) }));
    } else {
      onSite.textContent = minutes(visit.on_site_min);
    }
    const services = el('td');
    const reported = visit.services.map((s) => `${s.code} ${s.minutes ?? ''}`.trim()).join(', ');
    if (visit.corrected_services) {
      services.append(el('s', { textContent: reported }), el('br'), el('strong', {
        className: 'corrected',
        textContent: visit.corrected_services.map((s) => `${s.code} ${s.minutes}`).join(', '),
      }));
    } else {
      services.textContent = reported;
    }
    const flags = el('td');
    for (const flag of visit.flags) {
      flags.append(el('span', { className: `badge flag flag-${flag}`, textContent: t(`review.flag.${flag}`) }), ' ');
    }
    const decision = el('td', { className: 'decision' },
      el('span', { className: 'badge', textContent: t(`review.state.${visit.review ?? 'open'}`) }));
    if (visit.review_reason) decision.append(el('div', { className: 'small muted', textContent: visit.review_reason }));
    const actions = el('td', { className: 'actions' });
    if (this.ctx.canEdit()) {
      for (const action of ['accept', 'reject', 'correct', 'rate']) {
        const button = el('button', { textContent: t(`review.action.${action}`), type: 'button' });
        button.dataset.action = action;
        button.addEventListener('click', () => this.act(action, visit, tr));
        actions.append(button);
      }
    }
    tr.append(
      el('td', { textContent: fmtShortDate(visit.day) }),
      el('td', { textContent: visit.client_name }),
      el('td', { className: 'small', textContent: times }),
      onSite,
      el('td', { className: 'num', textContent: minutes(visit.standard_min) }),
      services,
      flags,
      el('td', { className: 'num', textContent: visit.rating ? `${visit.rating}${visit.rating_comment ? ` · ${visit.rating_comment}` : ''}` : '' }),
      decision,
      actions,
    );
    return tr;
  }

  async act(action, visit, tr) {
    if (action === 'accept') {
      await this.send(() => api.reviewVisit(visit.id, { decision: 'accepted' }));
      return;
    }
    tr.parentNode.querySelector('.review-editor')?.remove();
    const form = el('form', { className: 'review-form' });
    form.dataset.action = action;
    const reason = el('input', { name: 'reason', maxLength: 300, required: action !== 'rate' });
    if (action === 'correct') await this.correctionFields(form, visit);
    if (action === 'rate') {
      const stars = el('select', { name: 'rating' }, ...[5, 4, 3, 2, 1].map((n) => new Option(String(n), n)));
      form.append(
        el('label', {}, el('span', { textContent: t('review.rating') }), stars),
        el('label', {}, el('span', { textContent: t('review.rating_comment') }),
          el('input', { name: 'comment', maxLength: 500 })),
      );
    } else {
      form.append(el('label', {}, el('span', { textContent: t('review.reason') }), reason));
    }
    const cancel = el('button', { type: 'button', textContent: t('review.cancel') });
    cancel.addEventListener('click', () => editor.remove());
    form.append(el('div', { className: 'toolbar' },
      el('button', { type: 'submit', className: 'primary', textContent: t(`review.save.${action}`) }), cancel));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      if (action === 'reject') {
        await this.send(() => api.reviewVisit(visit.id, { decision: 'rejected', reason: data.get('reason') }));
      } else if (action === 'correct') {
        const services = [...form.querySelectorAll('.svc-fix')]
          .filter((line) => line.querySelector('input[type=checkbox]').checked)
          .map((line) => ({ code: line.dataset.code, minutes: Number(line.querySelector('input[type=number]').value) }));
        await this.send(() => api.reviewVisit(visit.id, {
          decision: 'corrected', reason: data.get('reason'),
          minutes: Number(data.get('minutes')), services,
        }));
      } else {
        await this.send(() => api.rateVisit(visit.id, {
          rating: Number(data.get('rating')), comment: data.get('comment') ?? '',
        }));
      }
    });
    const editor = el('tr', { className: 'review-editor' }, el('td', { colSpan: 10 }, form));
    tr.after(editor);
    form.querySelector('input, select')?.focus();
  }

  async correctionFields(form, visit) {
    if (!this.catalogue) {
      const rows = await api.services(this.ctx.officeId()).catch(() => ({ items: [] }));
      this.catalogue = rows.items ?? rows;
    }
    const given = new Map((visit.corrected_services ?? visit.services).map((s) => [s.code, s]));
    const lines = el('div', { className: 'svc-fixes' });
    for (const service of this.catalogue) {
      const chosen = given.get(service.code);
      const line = el('label', { className: 'svc-fix' });
      line.dataset.code = service.code;
      line.append(
        el('input', { type: 'checkbox', checked: Boolean(chosen) }),
        el('span', { textContent: `${service.code} ${service.name}` }),
        el('input', { type: 'number', min: 0, max: 1440, value: chosen?.minutes ?? service.standard_minutes }),
      );
      lines.append(line);
    }
    const current = visit.corrected_minutes ?? Math.round(visit.on_site_min ?? 0);
    form.append(
      el('label', {}, el('span', { textContent: t('review.minutes') }),
        el('input', { name: 'minutes', type: 'number', min: 0, max: 1440, value: current, required: true })),
      el('div', { className: 'small muted', textContent: t('review.services_hint') }),
      lines,
    );
  }

  async send(call) {
    try {
      await call();
      this.ctx.showError(null);
    } catch (exc) {
      this.ctx.showError(exc);
      return;
    }
    await this.load();
  }

  async acceptClean() {
    const q = this.query();
    await this.send(async () => {
      const answer = await api.acceptUnflagged(this.ctx.officeId(), q);
      $('review-summary').dataset.accepted = answer.accepted;
    });
  }

  // --- the worker's monthly report ---------------------------------------------------------
  async fetchMonth() {
    const workerId = Number($('review-worker').value);
    if (!workerId) return null;
    try {
      return await api.monthlyReport(workerId, this.month());
    } catch (exc) {
      this.ctx.showError(exc);
      return null;
    }
  }

  showMonth(report) {
    const box = $('review-month');
    box.hidden = !report;
    if (!report) return;
    box.dataset.state = report.state;
    $('review-month-title').textContent = t('review.month_title', {
      name: report.worker_name, month: fmtMonth(report.month),
    });
    $('review-month-state').textContent = t(`month.state.${report.state}`);
    $('review-month-lines').replaceChildren(...report.lines.map((line) => el('tr', {},
      el('td', { textContent: line.client_name }),
      el('td', { textContent: `${line.service_code} ${line.service_name}` }),
      el('td', { className: 'num', textContent: String(line.visits) }),
      el('td', { className: 'num', textContent: String(line.minutes) }))),
    el('tr', { className: 'total' }, el('th', { colSpan: 2, textContent: t('review.total') }),
      el('th', { className: 'num', textContent: String(report.total_services) }),
      el('th', { className: 'num', textContent: String(report.total_minutes) })));
    $('review-month-counts').textContent = t('review.month_counts', report.counts);
    $('review-month-worker-comment').textContent = report.worker_comment
      ? t('month.worker_comment', { text: report.worker_comment }) : '';
    const completed = report.state === 'completed';
    const editable = this.ctx.canEdit();
    $('review-month-sign').hidden = !(completed && editable);
    $('review-month-back').hidden = !(completed && editable);
    $('review-month-comment').hidden = !(completed && editable);
  }

  async monthAction(kind) {
    const workerId = Number($('review-worker').value);
    const comment = $('review-month-comment').value.trim();
    await this.send(() => (kind === 'sign'
      ? api.signMonthlyReport(workerId, this.month(), comment)
      : api.sendBackMonthlyReport(workerId, this.month(), comment)));
  }

  async download() {
    const workerId = Number($('review-worker').value);
    const url = new URL(`/api/workers/${workerId}/monthly-report/export.xlsx`, location.origin);
    url.searchParams.set('month', this.month());
    url.searchParams.set('locale', document.documentElement.lang === 'en' ? 'en' : 'ru');
    const answer = await fetch(url); // the login cookie goes with it
    if (!answer.ok) {
      this.ctx.showError({ status: answer.status, body: await answer.json().catch(() => null) });
      return;
    }
    const link = el('a', { href: URL.createObjectURL(await answer.blob()), download: `report_${workerId}_${this.month()}.xlsx` });
    document.body.append(link);
    link.click();
    link.remove();
  }
}
