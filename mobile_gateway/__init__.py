"""The worker-facing gateway: what phones and the worker's page call, and the JSON they get.

Devices
- `POST /api/me/devices` (worker login) `{name, platform: web|osmand|owntracks|other,
  external_id?}` -> 201 `{id, worker_id, name, platform, external_id, created_at,
  last_seen_at, revoked, token}`; the token is shown only this once.
- `GET /api/me/devices` -> the same without `token`. Supervisors: `GET
  /api/workers/{id}/devices`, `POST /api/devices/{id}/revoke`, and (`api/routes/field.py`)
  `POST /api/workers/{id}/devices` (issue a token), `PATCH /api/devices/{id}
  {external_id}` (bind an app's identifier).
- Unknown device -> 401 `{"detail": "unknown device"}`; revoked -> 403 `{"detail": "device
  revoked"}`; a login posting for another worker's device -> 403.

The day
- `GET /api/me/route?day=YYYY-MM-DD` -> `{day, worker_id, plan_id, start, end, stops: [{
  plan_stop_id, visit_key (the client's visit of the day: the same in every plan version),
  seq, arrival, start, end, services: [{code, name, minutes}], status:
  planned|in_progress|done|no_show|refused, arrived_at, departed_at, client: CLIENT}]}`
  (empty `stops` and null `plan_id` when no plan is approved for that day).
- `GET /api/me/clients/{id}` -> CLIENT = `{id, full_name, address, phone, notes, lat, lon,
  navigation: {yandex: "https://yandex.ru/maps/?rtext=~lat,lon", geo: "geo:lat,lon"},
  window_start, window_end}`; a client who is not the worker's -> 404.

Sync (offline outbox): `POST /api/mobile/sync` with `Authorization: Device <token>` (or the
worker's `Bearer <JWT>`, or the phone page's login cookie, plus `X-Device-Id: <device id>`), body
`{"pings": [{uuid, t, lat, lon, accuracy, speed (m/s), bearing, altitude, battery (%)}],
  "events": [{uuid, type, t, client_id, plan_stop_id?, lat?, lon?, accuracy?,
              services?: [{code, minutes?}], code?, signature?, reason?}]}`
and optionally `"ratings": [{uuid, t, client_id, plan_stop_id?, rating (1-5), comment?}]` (the
client's rating of the visit at check-out, stored once by its uuid; `tracking.ratings`),
where `t` is ISO 8601 (or epoch ms) and `type` is arrived | service_rendered | departed |
client_confirmed (`code` the client tells, or `signature` as a data:image/png;base64 URL) |
no_show | refused (`reason` required) | reopened (the worker corrects their own finished or
not-done visit of today until a supervisor reviews it; audited; refused as
`nothing_to_correct`, `correction_not_today` or `visit_reviewed`). Answer 200:
`{"pings": [{uuid, status, reason}], "events": [{uuid, status, reason}], "counts": {...}}`,
(and `"ratings": [...]` when the batch had any), one entry per item in order (match them by
position: a refused item's uuid may be what was wrong with it). status: `accepted` (stored;
for events the reason may be a flag:
`outside_geofence`, `unverified`, `long_service`, or `wrong_code` / `code_used` for a
confirmation kept as a trace that confirms nothing), `duplicate` (stored before: drop it from
the outbox), `rejected` + reason (bad data: drop it, resending will not help; one bad item
never refuses the others), `dropped` + `outside_shift` (not kept for privacy: drop it). 503
(database down) or a network error: keep the outbox and resend later; nothing of the request
was stored. 422: the body is not such an object. 413: more than 5,000 items. 429 + Retry-After:
too many requests from the device or the address (`tracking.ratelimit`).

Websocket `GET /api/mobile/ws?token=<device token>` (the phone page: `?device_id=<id>` with its
login cookie): send the same `{pings, events}` object
(or one ping object) as text; each gets `{"type": "ack", pings, events, counts}` or
`{"type": "error", detail, retry?}`. The server pushes `{"type": "plan", "recv", "worker_id",
"change": {...}}` when the supervisor changes the worker's plan (then reload the route).
A refused token closes with code 4401 / 4403.

GPS apps: OsmAnd / Traccar Client at `/api/gps/osmand` (device identifier = the device token,
or the bound `external_id` with `token=<device token>`; a fix without a time gets the time of
receipt, flagged), OwnTracks HTTP at `/api/gps/owntracks` (Basic auth, password = the token,
required; user = the bound `external_id` if one is bound). An identifier alone is 401. Both
go through `tracking.ingest.receive_batch`; a refused fix is answered 200 with its verdict
(OsmAnd) or `[]` (OwnTracks) and recorded once in `ping_refusal`.
"""
