// The phone's outbox: pings, visit events and clients' ratings wait in IndexedDB until the
// server has them.
// Each item carries a UUID made on the phone, so sending it twice is harmless.

const DB_NAME = 'careroute-phone';
const STORE = 'outbox';
const BATCH = 500;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'uuid' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const dbReady = openDb();

async function run(mode, action) {
  const db = await dbReady;
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
  });
}

export function newUuid() {
  return crypto.randomUUID();
}

// kind is 'ping', 'event' or 'rating'; body already holds its uuid.
export function enqueue(kind, body) {
  return run('readwrite', (store) => store.put({ uuid: body.uuid, kind, body, queued: Date.now() }));
}

export function count() {
  return run('readonly', (store) => store.count());
}

function oldest(limit) {
  return run('readonly', (store) => store.getAll(undefined, limit)).then((items) =>
    items.sort((a, b) => a.queued - b.queued));
}

function remove(uuids) {
  return run('readwrite', (store) => { for (const id of uuids) store.delete(id); });
}

// Refused items are kept aside (the last KEEP_REFUSED) for the worker to see.
const REFUSED_KEY = 'careroute-refused';
const KEEP_REFUSED = 50;
// Stored but not counted: a confirmation code that is not the visit's.
const SHOWN_REASONS = new Set(['wrong_code', 'code_used']);

export function refusedItems() {
  try {
    const list = JSON.parse(localStorage.getItem(REFUSED_KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function forgetRefused() {
  localStorage.removeItem(REFUSED_KEY);
}

function keepRefused(items) {
  if (!items.length) return;
  const list = [...refusedItems(), ...items].slice(-KEEP_REFUSED);
  localStorage.setItem(REFUSED_KEY, JSON.stringify(list));
}

// Sends what is queued, batch by batch. The server answers each item in the order sent
// (stored, duplicate or refused for good, with its reason): answered items leave the outbox,
// matched by position (a refused item's own uuid may be what was wrong with it); refused ones
// are kept aside to be shown. Anything unanswered stays for the next try.
// Returns {sent, refused, answers} (answers: each visit event's verdict, with its uuid);
// throws when the network or the server failed.
export async function flush(send) {
  let sent = 0;
  const refused = [];
  const answers = [];
  for (;;) {
    const items = await oldest(BATCH);
    if (!items.length) break;
    const pings = items.filter((i) => i.kind === 'ping');
    const events = items.filter((i) => i.kind === 'event');
    const ratings = items.filter((i) => i.kind === 'rating');
    const batch = { pings: pings.map((i) => i.body), events: events.map((i) => i.body) };
    if (ratings.length) batch.ratings = ratings.map((i) => i.body);
    const answer = await send(batch);
    const done = [];
    const batchRefused = [];
    const pairs = [
      ...pings.map((item, n) => [item, (answer.pings ?? [])[n]]),
      ...events.map((item, n) => [item, (answer.events ?? [])[n]]),
      ...ratings.map((item, n) => [item, (answer.ratings ?? [])[n]]),
    ];
    for (const [item, verdict] of pairs) {
      if (!verdict) continue;
      done.push(item.uuid);
      if (item.kind === 'event') answers.push({ ...verdict, uuid: item.uuid });
      if (verdict.status === 'rejected' || SHOWN_REASONS.has(verdict.reason)) {
        batchRefused.push({
          kind: item.kind,
          type: item.body.type ?? null,
          stop: item.body.visit_key ?? item.body.plan_stop_id ?? null,
          t: item.body.t ?? null,
          reason: String(verdict.reason ?? ''),
        });
      }
    }
    if (!done.length) break; // nothing acknowledged: do not loop forever
    keepRefused(batchRefused);
    refused.push(...batchRefused);
    await remove(done);
    sent += done.length;
  }
  return { sent, refused, answers };
}
