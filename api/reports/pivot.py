"""Any breakdown of the visits done: rows and (optionally) columns chosen from the dimensions
below, one measure, with row, column and grand totals, all in SQL.

The facts are done visits (arrived and departed) of the offices and period, as the head of
department's review counts them (`tracking.review`: a rejected visit nowhere, a corrected one
with its corrected minutes and services). When a service
dimension is chosen, a visit is split into its services and each service carries a share of the
visit's minutes and travel in proportion to its standard minutes (equal shares when a standard
is unknown), so the shares add up to the visit again. A client of several categories counts
under each of them; totals over categories count each visit once (they are computed without the
split). Travel is the measured trip that ended at the visit (`travel_leg`); lateness counts
visits that began more than 15 minutes after their planned start; ratings average the clients'
marks of the visits (per service where a mark names one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.reports.queries import LATE_MINUTES
from tracking import review


@dataclass(frozen=True, slots=True)
class Dimension:
    sql: str  # an expression over the base columns
    ru: str
    en: str
    per_service: bool = False  # needs the visit split into its services
    per_category: bool = False  # needs the client's categories unnested


DIMENSIONS: dict[str, Dimension] = {
    "client_category": Dimension("cat.name", "Категория получателя", "Client category",
                                 per_category=True),
    "client_status": Dimension("c.status::text", "Статус получателя", "Client status"),
    "zone": Dimension("coalesce(zn.name, '')", "Зона обслуживания", "Zone"),
    "service": Dimension("coalesce(s.code || ' ' || s.name, it.code, '')", "Услуга", "Service",
                         per_service=True),
    "service_category": Dimension("coalesce(s.category, '')", "Вид услуг", "Service category",
                                  per_service=True),
    "service_level": Dimension("coalesce(s.level::text, '')", "Уровень услуги", "Service level",
                               per_service=True),
    "worker": Dimension("w.full_name", "Социальный работник", "Worker"),
    "travel_mode": Dimension("w.travel_mode::text", "Способ передвижения", "Travel mode"),
    "weekday": Dimension("extract(isodow FROM v.day)::int::text", "День недели", "Day of week"),
    "office": Dimension("o.name", "Отделение", "Department"),
    "month": Dimension("to_char(v.day, 'YYYY-MM')", "Месяц", "Month"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Measure:
    sql: str  # an aggregate over the base
    ru: str
    en: str
    kind: str  # int / duration / number


MEASURES: dict[str, Measure] = {
    "visits": Measure("count(*)", "Посещений", "Visits", "int"),
    "services": Measure("sum(b.services)", "Оказано услуг", "Services rendered", "int"),
    "minutes_planned": Measure("round(sum(b.planned_min))", "Время по плану", "Minutes planned",
                               "duration"),
    "minutes_actual": Measure("round(sum(b.actual_min))", "Время у клиентов факт",
                              "Minutes on site", "duration"),
    "travel": Measure("round(sum(b.travel_min))", "Время в дороге", "Travel", "duration"),
    "late": Measure("count(*) FILTER (WHERE b.late)",
                    f"Посещений с опозданием > {LATE_MINUTES} мин",
                    f"Visits late > {LATE_MINUTES} min", "int"),
    "rating": Measure("round(sum(b.rating_sum) / nullif(sum(b.rating_n), 0), 2)",
                      "Средняя оценка", "Average rating", "number"),
    "unreviewed": Measure("count(*) FILTER (WHERE b.unreviewed)",
                          "Посещений не проверено заведующим", "Visits not yet reviewed", "int"),
}  # fmt: skip
# split into services, a visit is one row per service: count it once
_PER_SERVICE_MEASURES = {
    "visits": "count(DISTINCT b.visit_id)",
    "late": "count(DISTINCT b.visit_id) FILTER (WHERE b.late)",
    "unreviewed": "count(DISTINCT b.visit_id) FILTER (WHERE b.unreviewed)",
}

# Codes shown in words (client status, travel mode, day of week).
VALUE_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "client_status": {
        "ru": {"enrolled": "на обслуживании", "queued": "в очереди", "refused": "отказ",
               "suspended": "приостановлено", "discharged": "снят с обслуживания"},
        "en": {"enrolled": "enrolled", "queued": "queued", "refused": "refused",
               "suspended": "suspended", "discharged": "discharged"},
    },
    "travel_mode": {
        "ru": {"walk": "пешком", "transit": "общественный транспорт", "car": "автомобиль"},
        "en": {"walk": "on foot", "transit": "public transport", "car": "car"},
    },
    "weekday": {
        "ru": dict(zip("1234567", ["пн", "вт", "ср", "чт", "пт", "сб", "вс"], strict=True)),
        "en": dict(zip("1234567", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], strict=True)),
    },
}  # fmt: skip

_FACTS = f"""
    SELECT v.id AS visit_id, v.office_id, v.worker_id, v.client_id, v.day,
           {review.services_sql("v")} AS items,
           ({review.on_site_seconds_sql("v")})::float8 / 60 AS actual_min,
           v.review IS NULL AS unreviewed,
           coalesce(extract(epoch FROM v.planned_end - v.planned_start)::float8 / 60, 0)
               AS planned_min,
           coalesce(v.arrived_at > v.planned_start + interval '{LATE_MINUTES} minutes', false)
               AS late,
           {{travel}} AS travel_min
    FROM visit v {{travel_join}}
    WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end
      AND v.status = 'done' AND v.arrived_at IS NOT NULL AND v.departed_at IS NOT NULL
      AND {review.counted_sql("v")}
"""

# the trips that ended at each visit
_TRAVEL_JOIN = """
    LEFT JOIN (SELECT worker_id, day, to_client_id,
                      sum(extract(epoch FROM arrive - depart))::float8 / 60 AS minutes
               FROM travel_leg
               WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
               GROUP BY worker_id, day, to_client_id) l
      ON l.worker_id = v.worker_id AND l.day = v.day AND l.to_client_id = v.client_id
"""

_RATINGS = """
    SELECT visit_id, service_code, sum(rating) AS rating_sum, count(*) AS rating_n
    FROM client_feedback
    WHERE office_id = ANY(:offices) AND visit_id IS NOT NULL
    GROUP BY visit_id, service_code
"""

# One row per visit: its figures whole, its ratings all together.
_PER_VISIT = """
    SELECT f.visit_id, f.office_id, f.worker_id, f.client_id, f.day,
           jsonb_array_length(f.items) AS services, f.planned_min, f.actual_min, f.travel_min,
           f.late, f.unreviewed, {rating_sum} AS rating_sum, {rating_n} AS rating_n
    FROM facts f {rating_join}
"""
_PER_VISIT_RATINGS = """
    LEFT JOIN (SELECT visit_id, sum(rating_sum) AS rating_sum, sum(rating_n) AS rating_n
               FROM ratings GROUP BY visit_id) r ON r.visit_id = f.visit_id
"""

# One row per service of a visit, with its share of the visit's minutes (by the standards, or
# equal when a standard is unknown); marks of the visit as a whole go with its first service.
_ITEMS = """
    , items AS (
        SELECT f.visit_id, f.office_id, f.worker_id, f.client_id, f.day, f.planned_min,
               f.actual_min, f.travel_min, f.late, f.unreviewed, x.e ->> 'code' AS code, x.n,
               sc.standard_minutes::float8 AS standard
        FROM facts f
        CROSS JOIN LATERAL jsonb_array_elements(f.items) WITH ORDINALITY AS x(e, n)
        LEFT JOIN service sc ON sc.office_id = f.office_id AND sc.code = x.e ->> 'code'
    ), shares AS (
        SELECT visit_id, sum(standard) AS standard_sum, count(*) AS items_n
        FROM items GROUP BY visit_id
    )
"""
_PER_SERVICE = """
    SELECT i.visit_id, i.office_id, i.worker_id, i.client_id, i.day, 1 AS services,
           i.planned_min * {share} AS planned_min, i.actual_min * {share} AS actual_min,
           i.travel_min * {share} AS travel_min, i.late, i.unreviewed,
           {rating_sum} AS rating_sum, {rating_n} AS rating_n, i.code
    FROM items i {shares_join}
    {rating_join}
"""
# a service's share of its visit: by the standards, or equal when a standard is unknown
_SHARE = "coalesce(i.standard / nullif(t.standard_sum, 0), 1.0::float8 / t.items_n)"
_PER_SERVICE_RATINGS = """
    LEFT JOIN ratings r ON r.visit_id = i.visit_id AND r.service_code = i.code
    LEFT JOIN ratings rv ON rv.visit_id = i.visit_id AND rv.service_code IS NULL AND i.n = 1
"""


def _base(dims: list[str], measure: str) -> tuple[str, bool]:
    """The CTEs up to `b`, one row per visit (or per service of a visit); whether split."""
    per_service = any(DIMENSIONS[d].per_service for d in dims)
    travel = measure == "travel"
    rating = measure == "rating"
    facts = _FACTS.format(travel="coalesce(l.minutes, 0)" if travel else "0",
                          travel_join=_TRAVEL_JOIN if travel else "")  # fmt: skip
    if per_service:
        shared = measure in ("minutes_planned", "minutes_actual", "travel")
        base = _PER_SERVICE.format(
            share=_SHARE if shared else "1",
            shares_join="JOIN shares t ON t.visit_id = i.visit_id" if shared else "",
            rating_sum="coalesce(r.rating_sum, 0) + coalesce(rv.rating_sum, 0)" if rating else "0",
            rating_n="coalesce(r.rating_n, 0) + coalesce(rv.rating_n, 0)" if rating else "0",
            rating_join=_PER_SERVICE_RATINGS if rating else "",
        )
    else:
        base = _PER_VISIT.format(
            rating_sum="coalesce(r.rating_sum, 0)" if rating else "0",
            rating_n="coalesce(r.rating_n, 0)" if rating else "0",
            rating_join=_PER_VISIT_RATINGS if rating else "",
        )
    ratings = f", ratings AS ({_RATINGS})" if rating else ""
    items = _ITEMS if per_service else ""
    return f"WITH facts AS ({facts}){ratings}{items}, b AS ({base})", per_service


# the base columns each dimension reads
_KEYS: dict[str, set[str]] = {
    "client_category": {"client_id"}, "client_status": {"client_id"}, "zone": {"client_id"},
    "service": {"office_id", "code"}, "service_category": {"office_id", "code"},
    "service_level": {"office_id", "code"}, "worker": {"worker_id"},
    "travel_mode": {"worker_id"}, "weekday": {"day"}, "office": {"office_id"},
    "month": {"day"},
}  # fmt: skip
_KEY_TYPES = {"office_id": "int", "worker_id": "int", "client_id": "int", "day": "date",
              "code": "text"}  # fmt: skip
# a client's categories, '' for a client of none (who still counts, under "not set")
_CATEGORIES = "CASE WHEN cardinality(c.categories) > 0 THEN c.categories ELSE ARRAY[''] END"


def _joins(dims: list[str], keys: set[str], per_service: bool, unnest: bool) -> list[str]:
    """The tables the dimensions read, joined to the base rows `b`."""
    joins = ["CROSS JOIN LATERAL (SELECT b.day) v(day)"]
    if "worker_id" in keys:
        joins.append("JOIN worker w ON w.id = b.worker_id")
    if "office" in dims:
        joins.append("JOIN office o ON o.id = b.office_id")
    if any(d in ("client_category", "client_status") for d in dims):
        joins.append("JOIN client c ON c.id = b.client_id")
    if per_service:
        joins.append("LEFT JOIN service s ON s.office_id = b.office_id AND s.code = b.code")
        joins.append("CROSS JOIN LATERAL (SELECT b.code) it(code)")
    if "zone" in dims:
        joins.append(
            "LEFT JOIN (SELECT zc.client_id, min(z.name) AS name FROM zone_client zc "
            "JOIN zone_set zs ON zs.id = zc.zone_set_id AND zs.status = 'active' "
            "JOIN zone z ON z.id = zc.zone_id GROUP BY zc.client_id) zn "
            "ON zn.client_id = b.client_id"
        )
    if unnest:
        joins.append(f"CROSS JOIN LATERAL unnest({_CATEGORIES}) AS cat(name)")
    return joins


def _dimension_sql(dimension: str, unnest: bool) -> str:
    """A dimension's expression; categories read as NULL where they are not unnested."""
    return (
        "NULL::text"
        if DIMENSIONS[dimension].per_category and not unnest
        else (DIMENSIONS[dimension].sql)
    )


def _grouped(dims: list[str], sets: list[list[str]], measure_sql: str) -> tuple[str, str]:
    """The SELECT list and the GROUP BY of `sets` over the columns g0, g1 of `dims`."""
    used = {d for group in sets for d in group}
    shown = [f"g{n}" if d in used else "NULL" for n, d in enumerate(dims)]
    # GROUPING() as the whole query would give it: a bit per dimension, the first the highest
    grouping = " + ".join(
        f"{1 << (len(dims) - 1 - n)} * " + (f"GROUPING(g{n})" if d in used else "1")
        for n, d in enumerate(dims)
    )
    sets_sql = ", ".join("(" + ", ".join(f"g{dims.index(d)}" for d in s) + ")" for s in sets)
    select = ", ".join([*shown, f"{grouping} AS grouping", f"{measure_sql} AS value"])
    return select, f"GROUPING SETS ({sets_sql})"


def _sql(dims: list[str], sets: list[list[str]], measure: str, unnest: bool) -> str:
    """The aggregate of `measure` for each grouping set of `dims` (by position g0, g1), with
    the client's categories unnested if `unnest`."""
    per_service = any(DIMENSIONS[d].per_service for d in dims)
    head, _ = _base(dims, measure)
    keys = set().union(*(_KEYS[d] for d in dims))
    source = "b"
    if per_service and measure not in _PER_SERVICE_MEASURES:
        # ratings add up: first sum the services over only the columns the dimensions need
        cols = ", ".join(k if k in keys else f"NULL::{t} AS {k}" for k, t in _KEY_TYPES.items())
        head += f""", s2 AS (
            SELECT {cols}, sum(services) AS services, sum(planned_min) AS planned_min,
                   sum(actual_min) AS actual_min, sum(travel_min) AS travel_min,
                   sum(rating_sum) AS rating_sum, sum(rating_n) AS rating_n
            FROM b GROUP BY {", ".join(sorted(keys))})"""
        source = "s2"
    joins = _joins(dims, keys, per_service, unnest)
    select = [f"{_dimension_sql(d, unnest)} AS g{n}" for n, d in enumerate(dims)]
    measure_sql = (per_service and _PER_SERVICE_MEASURES.get(measure)) or MEASURES[measure].sql
    outer, group_by = _grouped(dims, sets, measure_sql)
    return f"""
        {head}
        SELECT {outer}
        FROM (SELECT {", ".join(["b.*", *select])} FROM {source} b {" ".join(joins)}) b
        GROUP BY {group_by}
    """


# measures that are sums over services, so visits can be summed before they are split (the
# average rating too: its marks are summed apart, from the few visits that have any)
_SUMMED = ("services", "minutes_planned", "minutes_actual", "travel", "rating")

# Each mark with the service it rates: the one it names if the visit had it, else (a mark of the
# visit as a whole) the visit's first service.
_RATED = """
    SELECT f.visit_id, f.office_id, f.worker_id, f.client_id, f.day, f.items,
           coalesce(r.service_code, f.items -> 0 ->> 'code') AS code, r.rating_sum, r.rating_n
    FROM ratings r JOIN facts f ON f.visit_id = r.visit_id
    WHERE CASE WHEN r.service_code IS NULL THEN jsonb_array_length(f.items) > 0
               ELSE f.items @> jsonb_build_array(jsonb_build_object('code', r.service_code)) END
"""

# Each distinct list of services of an office once, split into its services with their shares
# and the values of the service dimensions ({columns}).
_SPLIT = """
    SELECT d.office_id, d.items, {columns},
           coalesce(s.standard_minutes::float8 / nullif(sum(s.standard_minutes) OVER w, 0),
                    1.0::float8 / count(*) OVER w) AS share
    FROM (SELECT DISTINCT office_id, items FROM v1) d
    CROSS JOIN LATERAL jsonb_array_elements(d.items::jsonb) AS x(e)
    CROSS JOIN LATERAL (SELECT x.e ->> 'code') it(code)
    LEFT JOIN service s ON s.office_id = d.office_id AND s.code = it.code
    WINDOW w AS (PARTITION BY d.office_id, d.items)
"""


def _value_or_categories(dimension: str) -> str:
    """A dimension's expression, but for client categories the client's list of them (to be
    unnested last)."""
    return _CATEGORIES if DIMENSIONS[dimension].per_category else DIMENSIONS[dimension].sql


def _summed_per_service_sql(
    dims: list[str], with_unnest: list[list[str]], without: list[list[str]], measure: str
) -> str:
    """A per-service breakdown of a sum, both kinds of grouping sets (over the client's
    categories unnested, and without them) in one statement, so the visits are read once.

    The visits are first summed by their visit-level dimension and their list of services (a
    region's 194,000 visits became 16,000 groups, 89,000 by the clients' lists of categories,
    since offices use few lists), then split and summed again by every dimension (a few hundred
    rows); a client's categories are unnested only then. Unnesting them first put 259,000 rows
    keyed by the list of services through an aggregate and read the visits twice (the timings
    are in bench/README.md). Sums of sums in another order: every figure is the same once
    rounded as the measures round them."""
    travel = measure == "travel"
    facts = _FACTS.format(travel="coalesce(l.minutes, 0)" if travel else "0",
                          travel_join=_TRAVEL_JOIN if travel else "")  # fmt: skip
    # with two dimensions and one of them per service, at most one is visit-level
    visit_level = [(n, d) for n, d in enumerate(dims) if not DIMENSIONS[d].per_service]
    split_level = [(n, d) for n, d in enumerate(dims) if DIMENSIONS[d].per_service]
    keys = set().union(*(_KEYS[d] for _, d in visit_level))
    joins = _joins([d for _, d in visit_level], keys, False, False)
    key = [f"{_value_or_categories(d)} AS g{n}" for n, d in visit_level]
    positions = ", ".join(str(p) for p in range(1, len(key) + 3))
    # the list of services as text: hashing and comparing jsonb costs several times more
    columns = [*key, "b.office_id", 'b.items::text COLLATE "C" AS items']
    v1 = f"""
        SELECT {", ".join(columns)}, count(*) AS n,
               sum(b.planned_min) AS planned_min, sum(b.actual_min) AS actual_min,
               sum(b.travel_min) AS travel_min
        FROM facts b {" ".join(joins)}
        GROUP BY {positions}
    """
    split = _SPLIT.format(columns=", ".join(f"{DIMENSIONS[d].sql} AS g{n}" for n, d in split_level))
    g = [f"g{n}" for n in range(len(dims))]
    # in the order of the dimensions, as the marks below give them
    split_values = [
        f"sp.g{n}" if DIMENSIONS[d].per_service else f"v1.g{n}" for n, d in enumerate(dims)
    ]
    rows = f"""
        SELECT {", ".join(split_values)},
               v1.n AS services, v1.planned_min * sp.share AS planned_min,
               v1.actual_min * sp.share AS actual_min, v1.travel_min * sp.share AS travel_min,
               0 AS rating_sum, 0 AS rating_n
        FROM v1 JOIN split sp ON sp.office_id = v1.office_id AND sp.items = v1.items
    """
    ratings = ""
    if measure == "rating":  # the marks apart; the rows above still give every row and column
        rated_joins = _joins(dims, keys | {"office_id", "code"}, True, False)
        rated_key = [f"{_value_or_categories(d)} AS g{n}" for n, d in enumerate(dims)]
        ratings = f", ratings AS ({_RATINGS}), rated AS ({_RATED})"
        rows += f"""
        UNION ALL
        SELECT {", ".join(rated_key)}, 0, 0, 0, 0, b.rating_sum, b.rating_n
        FROM rated b {" ".join(rated_joins)}
    """
    # by every dimension, categories still as lists: a few hundred rows
    summed = f"""
        SELECT {", ".join(g)}, sum(services) AS services, sum(planned_min) AS planned_min,
               sum(actual_min) AS actual_min, sum(travel_min) AS travel_min,
               sum(rating_sum) AS rating_sum, sum(rating_n) AS rating_n
        FROM ({rows}) b
        GROUP BY {", ".join(g)}
    """
    parts = []
    for sets, unnest in ((with_unnest, True), (without, False)):
        if not sets:
            continue
        # the sets over categories count a client's visits under each category; the others
        # (totals over categories) once
        values = [
            ("cat.name" if unnest else "NULL::text") if DIMENSIONS[d].per_category else f"r.g{n}"
            for n, d in enumerate(dims)
        ]
        category = next((f"r.g{n}" for n, d in enumerate(dims) if DIMENSIONS[d].per_category), "")
        unnested = f"CROSS JOIN LATERAL unnest({category}) AS cat(name)" if unnest else ""
        outer, group_by = _grouped(dims, sets, MEASURES[measure].sql)
        parts.append(f"""
        SELECT {outer}
        FROM (SELECT {", ".join(f"{v} AS g{n}" for n, v in enumerate(values))}, r.services,
                     r.planned_min, r.actual_min, r.travel_min, r.rating_sum, r.rating_n
              FROM summed r {unnested}) b
        GROUP BY {group_by}
    """)
    return f"""
        WITH facts AS ({facts}), v1 AS ({v1}), split AS ({split}){ratings},
             summed AS ({summed})
        {" UNION ALL ".join(parts)}
    """


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    return int(value) if float(value).is_integer() else round(float(value), 2)


def pivot(
    session: Session,
    *,
    office_ids: tuple[int, ...],
    start: date,
    end: date,
    rows: str,
    columns: str | None,
    measure: str,
) -> dict[str, Any]:
    """The breakdown as row labels, column labels, cells and totals (codes, not words)."""
    dims = [rows] + ([columns] if columns else [])
    params = {"offices": list(office_ids), "start": start, "end": end}
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL work_mem = '64MB'"))  # the grouping sets sort in memory
    # gathering wide rows from parallel workers cost more than it saved (2 cores, measured)
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    if any(DIMENSIONS[d].per_service for d in dims) and measure in _SUMMED:
        # it guesses ten times the groups of (dimension, office, list of services) there are and
        # sorts them; hashing took a third of the time when the categories were unnested first
        # (250,000 rows), about the same since they are unnested last (measured on a region)
        session.execute(text("SET LOCAL enable_sort = off"))
    found: list[tuple[Any, ...]] = []
    if office_ids:
        # totals over client categories count a visit once: they come without the unnest
        category = [d for d in dims if DIMENSIONS[d].per_category]
        every = [dims, [rows], [columns], []] if columns else [dims, []]
        with_unnest = [s for s in every if category and category[0] in s]
        without = [s for s in every if s not in with_unnest]
        if any(DIMENSIONS[d].per_service for d in dims) and measure in _SUMMED:
            queries = [_summed_per_service_sql(dims, with_unnest, without, measure)]
        else:
            queries = [
                _sql(dims, sets, measure, unnest)
                for sets, unnest in ((with_unnest, True), (without, False))
                if sets
            ]
        for sql in queries:
            found += [tuple(r) for r in session.execute(text(sql), params)]
    size = len(dims)
    full = 0  # GROUPING() of a row grouped by every dimension
    only_rows = 1 if columns else None  # grouped by the rows' dimension alone
    only_columns = 2 if columns else None
    everything = (1 << size) - 1
    cells = [r for r in found if r[size] == full]
    by_row = {str(r[0]): _number(r[-1]) for r in found if r[size] == only_rows}
    by_column = {str(r[1]): _number(r[-1]) for r in found if r[size] == only_columns}
    total_rows = [r for r in found if r[size] == everything]
    total = _number(total_rows[0][-1]) if total_rows else None
    row_keys = sorted({str(c[0]) for c in cells}, key=_order)
    column_keys = sorted({str(c[1]) for c in cells}, key=_order) if columns else []
    if columns:
        values = {(str(c[0]), str(c[1])): _number(c[-1]) for c in cells}
        grid = [[values.get((r, k)) for k in column_keys] for r in row_keys]
        row_totals = [by_row.get(r) for r in row_keys]
        column_totals = [by_column.get(k) for k in column_keys]
    else:
        values_1 = {str(c[0]): _number(c[-1]) for c in cells}
        grid = [[values_1.get(r)] for r in row_keys]
        row_totals = [values_1.get(r) for r in row_keys]
        column_totals = []
    return {
        "row_keys": row_keys,
        "column_keys": column_keys,
        "cells": grid,
        "row_totals": row_totals,
        "column_totals": column_totals,
        "total": total,
    }


def _order(key: str) -> tuple[int, str]:
    """Numbers (days of the week, levels) in numeric order, the rest alphabetically, empty last."""
    if key == "":
        return (2, "")
    return (0, f"{int(key):06d}") if key.isdigit() else (1, key)


def words(dimension: str, key: str, locale: str) -> str:
    """A row or column key in words ('' reads as 'not set')."""
    if key == "":
        return "не указано" if locale == "ru" else "not set"
    return VALUE_WORDS.get(dimension, {}).get(locale, {}).get(key, key)
