// The plan tab's note on the chosen date, from the office's working calendar: a public holiday
// (its official name), a weekend or the office's day off, with how many workers are on duty;
// a Saturday worked by decree says so. A plain working day shows nothing.
import * as api from './api.js';
import { fmtDate, lang, t } from './i18n.js';

// The holidays' official names by date ({ru, en}), as the day calendar answered them.
const holidayNames = new Map();

// A holiday's name in the page's language ('' when the page has not asked about that day).
export function holidayName(day) {
  const names = holidayNames.get(day) ?? {};
  return names[lang()] ?? names.ru ?? '';
}

// The day on the office's working calendar (null when the server cannot say); remembers the
// holiday's names for `holidayName`.
export async function dayKind(officeId, day) {
  if (!officeId || !day) return null;
  try {
    const kind = await api.dayCalendar(officeId, day);
    holidayNames.set(day, kind.names ?? {});
    return kind;
  } catch {
    return null; // a hint: the tabs work without it
  }
}

export async function showDayKind(officeId, day) {
  const note = document.getElementById('plan-day-kind');
  note.hidden = true;
  note.replaceChildren();
  const kind = await dayKind(officeId, day);
  if (!kind) return;
  const date = fmtDate(day);
  let lines;
  if (kind.off) {
    const name = holidayName(day);
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
