// The phone's outbox: pings and visit events wait in IndexedDB until the server has them.
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

// kind is 'ping' or 'event'; body already holds its uuid.
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

// Sends what is queued, batch by batch. Items the server answered (stored, duplicate or
// refused for good) leave the outbox; anything else stays for the next try.
// Returns {sent, refused, answers} (answers: every item's verdict from the server); throws
// when the network or the server failed.
export async function flush(send) {
  let sent = 0;
  const refused = [];
  const answers = [];
  for (;;) {
    const items = await oldest(BATCH);
    if (!items.length) break;
    const batch = {
      pings: items.filter((i) => i.kind === 'ping').map((i) => i.body),
      events: items.filter((i) => i.kind === 'event').map((i) => i.body),
    };
    const answer = await send(batch);
    const answered = [...(answer.pings ?? []), ...(answer.events ?? [])];
    answers.push(...(answer.events ?? []));
    const done = answered.filter((v) => v.uuid).map((v) => v.uuid);
    for (const v of answered) if (v.status === 'rejected') refused.push(v);
    if (!done.length) break; // nothing acknowledged: do not loop forever
    await remove(done);
    sent += done.length;
  }
  return { sent, refused, answers };
}
