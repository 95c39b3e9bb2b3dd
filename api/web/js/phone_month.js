// The worker's monthly report on the phone: the month's accepted visits per client and service
// (as the head of department reviewed them), completed by the worker with a comment.
import * as api from './api.js';
import { errorText, lang, t, today } from './i18n.js';

const $ = (id) => document.getElementById(id);

function monthOf(iso, back = 0) {
  const d = new Date(`${iso.slice(0, 7)}-15T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 7);
}

export function fmtMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(lang(), { month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, 15)));
}

function line(text, className = '') {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

async function draw(month) {
  const box = $('month-body');
  box.replaceChildren();
  $('month-error').hidden = true;
  let report;
  try {
    report = await api.myMonthlyReport(month);
  } catch (exc) {
    $('month-error').textContent = errorText(exc);
    $('month-error').hidden = false;
    return;
  }
  box.dataset.state = report.state;
  const state = document.createElement('p');
  state.className = 'badge month-state';
  state.textContent = t(`month.state.${report.state}`);
  const lines = document.createElement('ul');
  lines.className = 'month-lines';
  for (const row of report.lines) {
    lines.append(line(t('month.line', {
      client: row.client_name, service: row.service_name, n: row.visits, minutes: row.minutes,
    })));
  }
  if (!report.lines.length) lines.append(line(t('month.empty'), 'muted'));
  const total = document.createElement('p');
  total.className = 'month-total';
  total.textContent = t('month.total', { n: report.total_services, minutes: report.total_minutes });
  box.append(state, lines, total);
  if (report.counts.unreviewed) {
    box.append(Object.assign(document.createElement('p'), {
      className: 'small muted', textContent: t('month.unreviewed', { n: report.counts.unreviewed }),
    }));
  }
  if (report.head_comment) {
    box.append(Object.assign(document.createElement('p'), {
      className: 'notice', textContent: t('month.head_comment', { text: report.head_comment }),
    }));
  }
  if (report.state !== 'draft') {
    if (report.worker_comment) {
      box.append(Object.assign(document.createElement('p'), {
        className: 'small', textContent: t('month.your_comment', { text: report.worker_comment }),
      }));
    }
    return;
  }
  const label = document.createElement('label');
  label.innerHTML = '<span></span><textarea id="month-comment" rows="3" maxlength="2000"></textarea>';
  label.firstChild.textContent = t('month.comment');
  const send = document.createElement('button');
  send.className = 'ok wide';
  send.id = 'month-complete';
  send.textContent = t('month.complete');
  send.addEventListener('click', async () => {
    send.disabled = true;
    try {
      await api.completeMonthlyReport(month, $('month-comment').value.trim());
      await draw(month);
    } catch (exc) {
      $('month-error').textContent = errorText(exc);
      $('month-error').hidden = false;
      send.disabled = false;
    }
  });
  box.append(label, send);
}

export function mountMonthReport() {
  const select = $('month-pick');
  const now = today();
  select.replaceChildren(...[0, 1, 2].map((back) => {
    const month = monthOf(now, back);
    return new Option(fmtMonth(month), month);
  }));
  select.addEventListener('change', () => draw(select.value));
  $('month-open').addEventListener('click', () => {
    const section = $('month-report');
    section.hidden = !section.hidden;
    $('month-open').setAttribute('aria-expanded', String(!section.hidden));
    if (!section.hidden) {
      draw(select.value);
      section.scrollIntoView({ block: 'start' });
    }
  });
}
