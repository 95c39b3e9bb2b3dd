"""Tracking: pings and visit events in, stored facts and live state out.

The ingest chain (`tracking.ingest.receive_batch`, the one entry for every way a phone
reports): decode (`protocols`) -> validate (`pings.validate`) -> shift filter -> dedup ->
store (`store`, one INSERT of the batch as JSON rows into the day-partitioned `ping` table,
ON CONFLICT on (device_id, t)) -> record refusals once (`ping_refusal`, counted in
`ping_drop`) -> commit -> publish (`live`, best effort on Redis). Devices prove themselves
with their token (`devices`), rate-limited in Redis (`ratelimit`); visit evidence rules
(signature strokes, one-time visit codes, minutes against the standard) are in `evidence`.
Visit events (`events`) are stored once by their client-made UUID, geofenced with PostGIS
geography and folded into visit facts (`visits`). Inference (`stops` pure, `inference`
service) fills arrivals and departures the worker forgot to tap and measures travel legs,
from which `calibration.travel_speeds` offers speeds to the planner.

Public API:
- `tracking.live.publish_plan_change(office_id, worker_id, payload)`: tell supervisors and the
  worker's phone that a plan changed (never raises when Redis is down);
- `tracking.calibration.travel_speeds(session, office_id) -> {mode: (speed_kmh, detour)}`;
- `tracking.inference.infer_office_day(session, office_id=, day=)`;
- `tracking.visits.visits_of_office(session, office_id=, day=)` and `visits.as_json`;
- `tracking.partitions.ensure_partitions / drop_old_partitions`;
- `tracking.maintenance.run_once(session)`: one upkeep pass (partitions ahead, retention,
  inference of yesterday and today), for a periodic task; `careroute tracking
  partitions|drop-old|infer|maintain` (`tracking.cli`) runs the same steps by hand.

Dedup of pings: the key is (device_id, t). A resend repeats the recorded fix, so the UUID and
the instant travel together; a unique index on the UUID alone is impossible on a table
partitioned by time, and unneeded. Two UUIDs at the same instant of one device are one fix.
"""
