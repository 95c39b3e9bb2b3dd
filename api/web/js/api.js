// Every call the pages make to the public JSON API, in one place.
// The login token (JWT from POST /api/auth/token) is kept in localStorage.

const TOKEN_KEY = 'careroute.token';
const ROLE_KEY = 'careroute.role';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail ? String(body.detail) : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function storedRole() {
  return localStorage.getItem(ROLE_KEY);
}

export function logout() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(ROLE_KEY);
  location.assign('/');
}

async function request(method, path, { body, form, query, authorization } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const headers = { Accept: 'application/json' };
  const auth = token();
  if (authorization) headers.Authorization = authorization;
  else if (auth) headers.Authorization = `Bearer ${auth}`;
  let payload;
  if (form) {
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
  for (const [k, v] of Object.entries({ token: token(), ...query })) url.searchParams.set(k, v);
  return url.toString();
}

// Where each role starts after logging in.
export function homeOf(role) {
  if (role === 'worker') return '/m/';
  if (role === 'manager' || role === 'national') return '/reports/';
  return '/supervisor/';
}

// --- login -------------------------------------------------------------------------------
export async function login(username, password) {
  const answer = await request('POST', '/api/auth/token', { form: { username, password } });
  localStorage.setItem(TOKEN_KEY, answer.access_token);
  localStorage.setItem(ROLE_KEY, answer.role);
  return answer;
}

export const me = () => get('/api/auth/me');
export const config = () => get('/api/config');

// --- registry ----------------------------------------------------------------------------
export const offices = () => get('/api/offices', { limit: 500 });
export const office = (officeId) => get(`/api/offices/${officeId}`);
export const workers = (officeId) => get(`/api/offices/${officeId}/workers`, { limit: 500 });

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
// Pings and visit events are sent as the registered device (its own token, not the login).
export const sync = (deviceToken, batch) =>
  request('POST', '/api/mobile/sync', { body: batch, authorization: `Device ${deviceToken}` });
export const workerSocket = (deviceToken) =>
  new WebSocket(wsUrl('/api/mobile/ws', { token: deviceToken }));

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
