// Every call the pages make to the public JSON API, in one place.
// The login lives in an HttpOnly cookie the server sets at login (page script never sees the
// token); only the role is kept here, to know which page to open.

const ROLE_KEY = 'careroute.role';
localStorage.removeItem('careroute.token'); // where an older version of the pages kept it

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail ? String(body.detail) : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function storedRole() {
  return localStorage.getItem(ROLE_KEY);
}

export async function logout() {
  localStorage.removeItem(ROLE_KEY);
  await fetch('/api/auth/logout', { method: 'POST' }).catch(() => {});
  location.assign('/');
}

async function request(method, path, { body, form, upload, query, extraHeaders } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const headers = { Accept: 'application/json', ...extraHeaders };
  let payload;
  if (upload) {
    payload = upload; // FormData: the browser sets the multipart boundary
  } else if (form) {
    payload = new URLSearchParams(form);
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const answer = await fetch(url, { method, headers, body: payload });
  const text = await answer.text();
  const data = text ? JSON.parse(text) : null;
  if (!answer.ok) throw new ApiError(answer.status, data);
  return data;
}

const get = (path, query) => request('GET', path, { query });
const post = (path, body) => request('POST', path, { body: body ?? {} });

export function wsUrl(path, query = {}) {
  const url = new URL(path, location.origin);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

// Where each role starts after logging in.
export function homeOf(role) {
  if (role === 'worker') return '/m/';
  if (role === 'manager' || role === 'national') return '/reports/';
  if (role === 'admin') return '/admin/';
  return '/supervisor/';
}

// --- login -------------------------------------------------------------------------------
export async function login(username, password) {
  const answer = await request('POST', '/api/auth/token', { form: { username, password } });
  localStorage.setItem(ROLE_KEY, answer.role);
  return { role: answer.role }; // the token itself stays in the server's HttpOnly cookie
}

export const me = () => get('/api/auth/me');
export const config = () => get('/api/config');

// --- registry ----------------------------------------------------------------------------
export const offices = () => get('/api/offices', { limit: 500 });
export const office = (officeId) => get(`/api/offices/${officeId}`);
export const workers = (officeId) => get(`/api/offices/${officeId}/workers`, { limit: 500 });

// Any call of the registry pages (/admin/, /office/, /account/): call('PATCH', path, { body }).
export const call = request;

// --- clients, the queue and care programmes ---------------------------------------------
export const clients = (officeId, query) => get(`/api/offices/${officeId}/clients`, query);
export const clientQueue = (officeId, query) =>
  get(`/api/offices/${officeId}/clients/queue`, query);
export const client = (clientId) => get(`/api/clients/${clientId}`);
export const updateClient = (clientId, fields) =>
  request('PATCH', `/api/clients/${clientId}`, { body: fields });
export const statusHistory = (clientId) =>
  get(`/api/clients/${clientId}/status-history`, { limit: 100 });
export const changeStatus = (clientId, change) => post(`/api/clients/${clientId}/status`, change);
export const markReviewed = (clientId) => post(`/api/clients/${clientId}/queue-review`);
export const archiveClient = (clientId, reason) =>
  post(`/api/clients/${clientId}/archive`, { reason });
export const clientVisits = (clientId) => get(`/api/clients/${clientId}/visits`, { limit: 20 });
export const programmeVersions = (clientId) => get(`/api/clients/${clientId}/care-plans`);
export const programme = (planId) => get(`/api/care-plans/${planId}`);
export const saveProgramme = (clientId, body) =>
  request('PUT', `/api/clients/${clientId}/care-plan`, { body });
export const approveProgramme = (planId) => post(`/api/care-plans/${planId}/approve`);
export const closeProgramme = (planId, lastDay) =>
  post(`/api/care-plans/${planId}/close`, { last_day: lastDay || null });
export const recurrenceWords = (rule) => get('/api/recurrence-words', { rule });

// --- zones -------------------------------------------------------------------------------
export const zones = (officeId) => get(`/api/offices/${officeId}/zones`);
export const zoneClients = (officeId) => get(`/api/offices/${officeId}/zones/clients`);
export const previewMoves = (officeId, moves) =>
  post(`/api/offices/${officeId}/zones/preview`, { moves });
export const saveMoves = (officeId, moves) =>
  post(`/api/offices/${officeId}/zones/moves`, { moves });
export const lockClients = (officeId, clientIds, locked) =>
  post(`/api/offices/${officeId}/zones/lock`, { client_ids: clientIds, locked });
export const rebalance = (officeId, save) =>
  post(`/api/offices/${officeId}/zones/rebalance`, { fewest_moves: true, save });

// --- plans -------------------------------------------------------------------------------
export const startPlanning = (officeId, day) => post(`/api/offices/${officeId}/plans`, { day });
export const planJob = (jobId) => get(`/api/plan-jobs/${jobId}`);
export const planJobSocket = (jobId) => new WebSocket(wsUrl(`/api/plan-jobs/${jobId}/ws`));
export const plansOf = (officeId, day) => get(`/api/offices/${officeId}/plans`, { day });
export const dayCalendar = (officeId, day) => get(`/api/offices/${officeId}/day-calendar`, { day });
export const plan = (planId) => get(`/api/plans/${planId}`);
export const approvePlan = (planId) => post(`/api/plans/${planId}/approve`);
export const moveVisit = (planId, move) => post(`/api/plans/${planId}/move`, move);
export const replan = (planId, events) => post(`/api/plans/${planId}/replan`, events);
export const planChanges = (planId) => get(`/api/plans/${planId}/changes`);
export const services = (officeId) => get(`/api/offices/${officeId}/services`, { limit: 500 });
export const officeVisits = (officeId, day) => get(`/api/offices/${officeId}/visits`, { day });
export const dayTrack = (workerId, day) => get(`/api/workers/${workerId}/day-track`, { day });

// --- week and month plans ----------------------------------------------------------------
export const startWeek = (officeId, period) => post(`/api/offices/${officeId}/plan-weeks`, period);
export const weeksOf = (officeId) => get(`/api/offices/${officeId}/plan-weeks`);
export const week = (weekId) => get(`/api/plan-weeks/${weekId}`);
export const approveWeek = (weekId, day) => post(`/api/plan-weeks/${weekId}/approve`, { day });
export const moveToDay = (weekId, move) => post(`/api/plan-weeks/${weekId}/move`, move);
export const queuedFits = (weekId) => get(`/api/plan-weeks/${weekId}/fits`);
export const clientFit = (weekId, clientId) => get(`/api/plan-weeks/${weekId}/fit/${clientId}`);

// --- live --------------------------------------------------------------------------------
export const liveSocket = (officeId) =>
  new WebSocket(wsUrl('/api/live/ws', { office_id: officeId }));

// --- the worker's phone ------------------------------------------------------------------
export const myRoute = (day) => get('/api/me/route', { day });
export const myClient = (clientId) => get(`/api/me/clients/${clientId}`);
export const registerDevice = (device) => post('/api/me/devices', device);
// Pings and visit events are sent as the registered device, named by its id (the login cookie
// proves who sends them).
export const sync = (deviceId, batch) =>
  request('POST', '/api/mobile/sync', { body: batch, extraHeaders: { 'X-Device-Id': String(deviceId) } });
export const workerSocket = (deviceId) =>
  new WebSocket(wsUrl('/api/mobile/ws', { device_id: deviceId }));

// --- the head of department's review and the worker's monthly report -------------------
export const reviewList = (officeId, query) => get(`/api/offices/${officeId}/review`, query);
export const acceptUnflagged = (officeId, body) =>
  post(`/api/offices/${officeId}/review/accept-unflagged`, body);
export const reviewVisit = (visitId, body) => post(`/api/visits/${visitId}/review`, body);
export const rateVisit = (visitId, body) => post(`/api/visits/${visitId}/rating`, body);
export const monthlyReport = (workerId, month) =>
  get(`/api/workers/${workerId}/monthly-report`, { month });
export const signMonthlyReport = (workerId, month, comment) =>
  post(`/api/workers/${workerId}/monthly-report/sign`, { month, comment });
export const sendBackMonthlyReport = (workerId, month, comment) =>
  post(`/api/workers/${workerId}/monthly-report/send-back`, { month, comment });
export const myMonthlyReport = (month) => get('/api/me/monthly-report', { month });
export const completeMonthlyReport = (month, comment) =>
  post('/api/me/monthly-report/complete', { month, comment });

// --- the map's offline background (streets as GeoJSON) -----------------------------------
export const basemap = () => get('/api/basemap');
