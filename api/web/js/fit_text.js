// A queued client's place in a week plan in words (the week's queue panel and the clients'
// queue say it alike): the best worker and days with the minutes and travel they add, or why
// the client does not fit yet (the API gives an English reason; the known ones are translated).
import { fmtShortDate, t } from './i18n.js';

const WHY = [
  [/^no address/, 'no_address'], [/^no programme/, 'no_programme'], [/^no planned days/, 'no_days'],
  [/^the programme has no visits/, 'no_visits'], [/^no worker's days/, 'no_room'],
];

export function fitText(f) {
  const best = f.options[0];
  if (best) {
    return t('week.fits_now', {
      client: f.client_name,
      worker: best.worker_name,
      days: best.days.map(fmtShortDate).join(', '),
      minutes: best.minutes,
      travel: best.travel_minutes,
    });
  }
  const known = WHY.find(([re]) => re.test(f.reason ?? ''));
  return known
    ? t('week.fits_not_why', { client: f.client_name, why: t(`week.fit_why.${known[1]}`) })
    : t('week.fits_not', { client: f.client_name });
}
