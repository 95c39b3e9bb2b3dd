// The plan tab's note on the chosen date, from the office's working calendar: a public holiday
// (its official name), a weekend or the office's day off, with how many workers are on duty;
// a Saturday worked by decree says so. A plain working day shows nothing.
import * as api from './api.js';
import { fmtDate, lang, t } from './i18n.js';

export async function showDayKind(officeId, day) {
  const note = document.getElementById('plan-day-kind');
  note.hidden = true;
  note.replaceChildren();
  if (!officeId || !day) return;
  let kind;
  try {
    kind = await api.dayCalendar(officeId, day);
  } catch {
    return; // the note is a hint: the plan tab works without it
  }
  const date = fmtDate(day);
  let lines;
  if (kind.off) {
    const name = kind.names[lang()] ?? kind.names.ru ?? '';
    lines = [
      t(`plan.day.${kind.off}`, { date, name }),
      kind.on_duty ? t('plan.day.on_duty', { n: kind.on_duty }) : t('plan.day.nobody'),
    ];
  } else if (kind.moved_working_day) {
    lines = [t('plan.day.moved', { date })];
  } else {
    return;
  }
  // textContent: the names come from the calendar, never as markup
  note.replaceChildren(...lines.map((text) => Object.assign(document.createElement('div'), { textContent: text })));
  note.dataset.off = kind.off || 'moved';
  note.hidden = false;
}
