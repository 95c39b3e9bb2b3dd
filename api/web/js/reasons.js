// The planner's reasons in the user's language: why a visit stayed unplanned (`code`), why a
// move was refused (`rule`), why a visit went to its worker (`why`). The API answers with a
// code and an English sentence; the details (times, skills, counts, names) are read from that
// sentence, and the text comes from the catalogue. An unknown code gets the catalogue's general
// text; a known code whose sentence no longer matches shows its text without details.
import { t } from './i18n.js';

const TIME = '(\\d{2}:\\d{2})';

// Skills are free words in the registry; the known ones have a name in the catalogue.
export function skillName(code) {
  const key = `skill.${code}`;
  const name = t(key);
  return name === key ? code : name;
}

// "'medical', 'dementia'" -> «медицинские процедуры», «деменция»
function skillList(quoted) {
  const codes = [...String(quoted).matchAll(/'([^']+)'/g)].map((m) => m[1]);
  return (codes.length ? codes : [quoted]).map((c) => `«${skillName(c)}»`).join(', ');
}

// Each code: variants tried in order, a pattern over the API's sentence and the key that says
// it; `fill` turns the pattern's groups into the key's values.
const UNPLANNED = {
  no_location: [{ re: /./, key: 'reason.no_location' }],
  no_one_on_duty: [{ re: /./, key: 'reason.no_one_on_duty' }],
  nobody_works: [
    // "holiday, nobody on duty: <official name> (2027-01-01)": the holiday named in the page's
    // language by its date; an older sentence without the date keeps its name.
    {
      re: /^holiday, nobody on duty: (.+?)(?: \((\d{4}-\d{2}-\d{2})\))?$/,
      key: 'reason.nobody_works_holiday',
      fill: ([name, day], names) => ({ name: names.holiday(day, name) }),
    },
    { re: /^weekend, nobody on duty/, key: 'reason.nobody_works_weekend' },
    { re: /^office day off, nobody on duty/, key: 'reason.nobody_works_office' },
    { re: /./, key: 'reason.nobody_works' },
  ],
  no_access: [{ re: /./, key: 'reason.no_access' }],
  unknown_worker: [
    {
      re: /^the pinned worker '([^']*)' is not on duty/,
      key: 'reason.unknown_worker',
      fill: ([id], names) => ({ worker: names.worker(id) }),
    },
  ],
  no_skill: [
    { re: /^no worker has the skill (.+)$/, key: 'reason.no_skill', fill: ([s]) => ({ skills: skillList(s) }) },
  ],
  not_enough_workers: [
    {
      re: /^needs (\d+) workers but only (\d+) can do it/,
      key: 'reason.not_enough_workers',
      fill: ([needed, able]) => ({ needed, able }),
    },
  ],
  too_long: [
    {
      re: /^the visit lasts (\d+) min, longer than any shift \((\d+) min\)/,
      key: 'reason.too_long',
      fill: ([minutes, longest]) => ({ minutes, longest }),
    },
  ],
  window_unreachable: [
    {
      re: new RegExp(`^the window ${TIME}-${TIME} cannot be reached`),
      key: 'reason.window_unreachable',
      fill: ([from, to]) => ({ from, to }),
    },
    {
      re: new RegExp(`^the window at ${TIME} cannot be reached`),
      key: 'reason.window_unreachable_at',
      fill: ([time]) => ({ time }),
    },
  ],
  not_found: [
    {
      re: /^worker '([^']*)' has a free slot/,
      key: 'reason.not_found',
      fill: ([id], names) => ({ worker: names.worker(id) }),
    },
    {
      re: /^(\d+) workers have a free slot for it; the search did not bring (\d+) of them/,
      key: 'reason.not_found_team',
      fill: ([free, needed]) => ({ free, needed, n: Number(free) }),
    },
  ],
  max_working_time: [{ re: /./, key: 'reason.max_working_time' }],
  shift_over: [{ re: /./, key: 'reason.shift_over' }],
  no_time: [
    {
      re: new RegExp(`during its window ${TIME}-${TIME}`),
      key: 'reason.no_time',
      fill: ([from, to]) => ({ from, to }),
    },
  ],
  lunch: [
    {
      re: new RegExp(`window ${TIME}-${TIME}: each of them would have room for it only without the (\\d+)-min lunch starting ${TIME}-${TIME}`),
      key: 'reason.lunch',
      fill: ([wfrom, wto, minutes, from, to]) => ({ wfrom, wto, minutes, from, to }),
    },
  ],
  no_team_time: [
    {
      re: /^(\d+) workers who can do it have room for it, but never (\d+) at one start time/,
      key: 'reason.no_team_room',
      fill: ([free, needed]) => ({ free, needed }),
    },
    {
      re: new RegExp(`needs (\\d+) workers at the same time, and only (\\d+) .* window ${TIME}-${TIME}`),
      key: 'reason.no_team_time_window',
      fill: ([needed, free, from, to]) => ({ needed, free, from, to }),
    },
    {
      re: /needs (\d+) workers at the same time, and only (\d+) /,
      key: 'reason.no_team_time',
      fill: ([needed, free]) => ({ needed, free }),
    },
  ],
  infeasible: [{ re: /./, key: 'reason.infeasible' }],
  no_plan_in_time: [{ re: /./, key: 'reason.no_plan_in_time' }],
  unplanned: [{ re: /./, key: 'reason.unplanned' }],
};

// Rules a hand-made move can break (the 409 answer of POST /api/plans/{id}/move).
const MOVE = {
  pinned: [
    { re: /^this visit is already under way or done/, key: 'move.pinned' },
    {
      re: /^(.+) is already under way or done by worker (\S+)/,
      key: 'move.pinned_by',
      fill: ([client, id], names) => ({ client: names.client(client), worker: names.worker(id) }),
    },
  ],
  // a phone has begun the visit: "the visit has begun (<status>): it cannot be moved"
  started: ['in_progress', 'done', 'no_show', 'refused'].map((status) => (
    { re: new RegExp(`^the visit has begun \\(${status}\\)`), key: `move.started.${status}` })),
  off_duty: [{ re: /./, key: 'move.off_duty' }],
  no_location: [{ re: /./, key: 'move.no_location' }],
  no_care_plan: [{ re: /./, key: 'move.no_care_plan' }],
  together: [
    { re: /moved by re-planning/, key: 'move.together_replan' },
    {
      re: new RegExp(`^(.+) needs both workers at once; they would start at ${TIME} and ${TIME}`),
      key: 'move.together_time',
      fill: ([client, a, b], names) => ({ client: names.client(client), a, b }),
    },
    {
      re: /^(.+) needs (\d+) workers; only (\d+) planned/,
      key: 'move.together_count',
      fill: ([client, needed, planned], names) => ({ client: names.client(client), needed, planned }),
    },
  ],
  lunch: [
    {
      re: new RegExp(`^no room for the (\\d+)-min lunch of (.+) starting between ${TIME} and ${TIME}`),
      key: 'move.lunch',
      fill: ([minutes, worker, from, to], names) => ({ minutes, worker: names.worker(worker), from, to }),
    },
  ],
  shift_end: [
    {
      re: new RegExp(`^(.+) would be back at ${TIME}, after the shift ends at ${TIME}`),
      key: 'move.shift_end',
      fill: ([worker, back, end], names) => ({ worker: names.worker(worker), back, end }),
    },
  ],
  window: [
    {
      re: new RegExp(`^(.+) would start at ${TIME}, after the window ${TIME}-${TIME} closes`),
      key: 'move.window',
      fill: ([client, start, from, to], names) => ({ client: names.client(client), start, from, to }),
    },
  ],
  max_work: [
    {
      re: /^(.+) would work (\d+) min, more than the (\d+) min allowed/,
      key: 'move.max_work',
      fill: ([worker, worked, limit], names) => ({ worker: names.worker(worker), worked, limit }),
    },
  ],
  skill: [
    {
      re: /^(.+) lacks the skill (.+) that (.+) needs$/,
      key: 'move.skill',
      fill: ([worker, skills, client], names) => ({
        worker: names.worker(worker), skills: skillList(skills), client: names.client(client),
      }),
    },
  ],
  duplicate: [{ re: /./, key: 'move.duplicate' }],
};

// Why a planned visit went to its worker; the text may start with "the usual worker had no room".
const WHY = [
  { re: /^pinned: already under way or done/, key: 'why.pinned' },
  { re: /^under way or done when re-planned/, key: 'why.pinned' },
  { re: /^the client's usual worker/, key: 'why.usual' },
  { re: /^the only worker with the skill (.+)$/, key: 'why.only_skill', fill: ([s]) => ({ skills: skillList(s) }) },
  { re: /^nearest worker who can do it \((\d+) min/, key: 'why.nearest', fill: ([minutes]) => ({ minutes }) },
  { re: /^fits this worker's day/, key: 'why.fits' },
  { re: /^moved by hand by (.+)$/, key: 'why.moved', fill: ([who]) => ({ who }) },
];
const USUAL_BUSY = /^the usual worker '([^']*)' had no room; /;

// Names in the sentences are the planner's labels: a full name, or "worker 12" / "visit c7";
// a holiday is named by `lookup.holiday(day)` in the page's language when the page knows it.
function namesFrom(lookup = {}) {
  return {
    holiday: (day, name) => lookup.holiday?.(day) || name,
    worker: (label) => {
      const id = String(label).match(/^(?:worker )?(\d+)$/)?.[1];
      return (id && lookup.worker?.(Number(id))) || label;
    },
    client: (label) => (/^visit /.test(label) ? (lookup.client?.() ?? label) : label),
  };
}

function say(table, code, sentence, lookup) {
  const variants = table[code];
  const text = String(sentence ?? '');
  if (!variants) return t(table === MOVE ? 'move.unknown' : 'reason.unplanned');
  const names = namesFrom(lookup);
  for (const v of variants) {
    const match = text.match(v.re);
    if (match) return t(v.key, v.fill ? v.fill(match.slice(1), names) : {});
  }
  return t(`${variants[0].key.split('.')[0]}.${code}.general`);
}

// An unplanned visit's reason: {code, reason} from the plan.
export function unplannedReason(item, lookup) {
  return say(UNPLANNED, item.code, item.reason, lookup);
}

// A refused move: the 409 answer {rule, detail, worker_id, visit_id}.
export function moveRefusal(body, lookup) {
  if (!body?.rule) return t('move.unknown');
  return say(MOVE, body.rule, body.detail, lookup);
}

// Why a stop went to its worker ('' when the planner said nothing).
export function visitWhy(text, lookup) {
  let rest = String(text ?? '');
  if (!rest) return '';
  const names = namesFrom(lookup);
  let prefix = '';
  const busy = rest.match(USUAL_BUSY);
  if (busy) {
    prefix = t('why.usual_busy', { worker: names.worker(busy[1]) });
    rest = rest.slice(busy[0].length);
  }
  for (const w of WHY) {
    const match = rest.match(w.re);
    if (match) return prefix + t(w.key, w.fill ? w.fill(match.slice(1)) : {});
  }
  // A reason the pages do not know yet: only the part they can say.
  return prefix.replace(/;\s*$/, '');
}

// The codes this module knows, for tests and for the catalogue check.
export const KNOWN = { unplanned: Object.keys(UNPLANNED), move: Object.keys(MOVE) };
