"""Any breakdown of the visits done: rows and (optionally) columns chosen from the dimensions
below, one measure, with row, column and grand totals, all in SQL.

The facts are done visits (arrived and departed) of the offices and period, as the head of
department's review counts them (`tracking.review`: a rejected visit nowhere, a corrected one
with its corrected minutes and services). When a service
dimension is chosen, a visit is split into its services and each service carries a share of the
visit's minutes and travel in proportion to its standard minutes (equal shares when a standard
is unknown), so the shares add up to the visit again. A client of several categories counts
under each of them; totals over categories count each visit once (they are computed without the
split). Travel is the measured trips that ended at the visit (`travel_leg`, kept on the visit as
`visit.travel_s`); lateness counts
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
           {review.on_site_float_sql("v")} / 60 AS actual_min,
           v.review IS NULL AS unreviewed,
           coalesce(date_part('epoch', v.planned_end - v.planned_start) / 60, 0)
               AS planned_min,
           coalesce(v.arrived_at > v.planned_start + interval '{LATE_MINUTES} minutes', false)
               AS late,
           coalesce(v.travel_s, 0)::float8 / 60 AS travel_min
    FROM visit v
    WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end
      AND v.status = 'done' AND v.arrived_at IS NOT NULL AND v.departed_at IS NOT NULL
      AND {review.counted_sql("v")}
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


def _base(measure: str) -> str:
    """The CTEs up to `b`, one row per visit."""
    rating = measure == "rating"
    base = _PER_VISIT.format(
        rating_sum="coalesce(r.rating_sum, 0)" if rating else "0",
        rating_n="coalesce(r.rating_n, 0)" if rating else "0",
        rating_join=_PER_VISIT_RATINGS if rating else "",
    )
    ratings = f", ratings AS ({_RATINGS})" if rating else ""
    return f"WITH facts AS ({_FACTS}){ratings}, b AS ({base})"


# the base columns each dimension reads
_KEYS: dict[str, set[str]] = {
    "client_category": {"client_id"}, "client_status": {"client_id"}, "zone": {"client_id"},
    "service": {"office_id", "code"}, "service_category": {"office_id", "code"},
    "service_level": {"office_id", "code"}, "worker": {"worker_id"},
    "travel_mode": {"worker_id"}, "weekday": {"day"}, "office": {"office_id"},
    "month": {"day"},
}  # fmt: skip
# a client's categories, '' for a client of none (who still counts, under "not set")
_CATEGORIES = "CASE WHEN cardinality(c.categories) > 0 THEN c.categories ELSE ARRAY[''] END"


def _joins(dims: list[str], keys: set[str], per_service: bool) -> list[str]:
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
    return joins


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


def _sql(dims: list[str], sets: list[list[str]], measure: str) -> str:
    """The aggregate of `measure` for each grouping set of `dims` (by position g0, g1), one row
    per visit: dimensions with neither client categories nor services."""
    keys = set().union(*(_KEYS[d] for d in dims))
    joins = _joins(dims, keys, False)
    select = [f"{DIMENSIONS[d].sql} AS g{n}" for n, d in enumerate(dims)]
    outer, group_by = _grouped(dims, sets, MEASURES[measure].sql)
    return f"""
        {_base(measure)}
        SELECT {outer}
        FROM (SELECT {", ".join(["b.*", *select])} FROM b {" ".join(joins)}) b
        GROUP BY {group_by}
    """


# The counts as sums of the visits `v1` counted in each of its groups.
_COUNTED = {"visits": "n", "late": "late_n", "unreviewed": "unreviewed_n"}

# The sums of the visits by dimension and list of services (`_summed_sql`), and which one each
# measure reads (the visits' count `n` always comes along).
_V1_SUMS = {
    "late_n": "count(*) FILTER (WHERE b.late)",
    "unreviewed_n": "count(*) FILTER (WHERE b.unreviewed)",
    "services_n": "sum(jsonb_array_length(b.items))",
    "planned_min": "sum(b.planned_min)",
    "actual_min": "sum(b.actual_min)",
    "travel_min": "sum(b.travel_min)",
}
_V1_SUMS_READ = {
    "late": {"late_n"},
    "unreviewed": {"unreviewed_n"},
    "services": {"services_n"},
    "minutes_planned": {"planned_min"},
    "minutes_actual": {"actual_min"},
    "travel": {"travel_min"},
}

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
# and the values of the service dimensions ({columns}); {firsts} say whether a service is the
# first of its list with its values of some of those dimensions (a visit counts once per value).
_SPLIT = """
    SELECT d.office_id, d.items, {columns},
           coalesce(s.standard_minutes::float8 / nullif(sum(s.standard_minutes) OVER w, 0),
                    1.0::float8 / count(*) OVER w) AS share{firsts}
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


def _summed_sql(dims: list[str], every: list[list[str]], measure: str) -> str:
    """A breakdown over client categories or services, every grouping set in one statement, so
    the visits are read once.

    The visits are first summed and counted by their visit-level dimension (client categories
    as the client's list of them) and, for a service dimension, by their office and list of
    services (a region's 194,000 visits became 16,000 groups, 89,000 by the clients' lists of
    categories, since offices use few lists); those groups are split into services, summed
    again by every dimension (a few hundred rows), and a client's categories are unnested only
    then. Unnesting first, or splitting each visit, put hundreds of thousands of rows through an
    aggregate and read the visits once per kind of grouping set (the timings are in
    bench/README.md). Sums of sums in another order: every figure is the same once rounded as
    the measures round them; counts are exact."""
    per_service = any(DIMENSIONS[d].per_service for d in dims)
    counted = _COUNTED.get(measure)
    rated_apart = measure == "rating" and per_service  # marks per service, from the few rated
    visit_level = [(n, d) for n, d in enumerate(dims) if not DIMENSIONS[d].per_service]
    split_level = [(n, d) for n, d in enumerate(dims) if DIMENSIONS[d].per_service]
    keys = set().union(*(_KEYS[d] for _, d in visit_level))
    joins = _joins([d for _, d in visit_level], keys, False)
    key = [f"{_value_or_categories(d)} AS g{n}" for n, d in visit_level]
    if per_service:
        # the list of services as text: hashing and comparing jsonb costs several times more
        key += ["b.office_id", 'b.items::text COLLATE "C" AS items']
    marks = "0 AS rating_sum, 0 AS rating_n"
    if measure == "rating" and not per_service:  # all of a visit's marks go with it
        joins.append(
            "LEFT JOIN (SELECT visit_id, sum(rating_sum) AS rating_sum, sum(rating_n) AS rating_n"
            " FROM ratings GROUP BY visit_id) r ON r.visit_id = b.visit_id"
        )
        marks = (
            "sum(coalesce(r.rating_sum, 0)) AS rating_sum, sum(coalesce(r.rating_n, 0)) AS rating_n"
        )
    # only the sum the measure reads: each one costs its expression on every visit
    wanted = _V1_SUMS_READ.get(measure, set())
    sums_sql = ", ".join(f"{sql if name in wanted else '0'} AS {name}"
                         for name, sql in _V1_SUMS.items())  # fmt: skip
    v1 = f"""
        SELECT {", ".join(key)}, count(*) AS n, {sums_sql}, {marks}
        FROM facts b {" ".join(joins)}
        GROUP BY {", ".join(str(p) for p in range(1, len(key) + 1))}
    """

    # A count by a set of dimensions counts a visit once per value of the set's service
    # dimensions (once in all for a set without any): the services that are the first of their
    # list with those values carry the visits' count (column c0, c1 ... per such subset).
    def subset(group: list[str]) -> tuple[int, ...]:
        return tuple(n for n, d in split_level if d in group)

    subsets = list(dict.fromkeys(subset(s) for s in every)) if counted else []
    g = [f"g{n}" for n in range(len(dims))]
    sums = ["services", "planned_min", "actual_min", "travel_min", "rating_sum", "rating_n"]
    sums += [f"c{i}" for i in range(len(subsets))]
    ratings = f", ratings AS ({_RATINGS})" if measure == "rating" else ""
    heads = f"WITH facts AS ({_FACTS}){ratings}, v1 AS ({v1})"
    if per_service:
        firsts = "".join(
            f", row_number() OVER (PARTITION BY d.office_id, d.items"
            f"{''.join(', ' + DIMENSIONS[dims[n]].sql for n in k)}) = 1 AS f{i}"
            for i, k in enumerate(subsets)
        )
        columns = ", ".join(f"{DIMENSIONS[d].sql} AS g{n}" for n, d in split_level)
        heads += f", split AS ({_SPLIT.format(columns=columns, firsts=firsts)})"
        counts = "".join(
            f", CASE WHEN sp.f{i} THEN v1.{counted} ELSE 0 END AS c{i}" for i in range(len(subsets))
        )
        values = [
            f"sp.{c}" if DIMENSIONS[d].per_service else f"v1.{c}"
            for c, d in zip(g, dims, strict=True)
        ]
        rows = f"""
            SELECT {", ".join(values)}, v1.n AS services, v1.planned_min * sp.share AS planned_min,
                   v1.actual_min * sp.share AS actual_min, v1.travel_min * sp.share AS travel_min,
                   0 AS rating_sum, 0 AS rating_n
                   {counts}
            FROM v1 JOIN split sp ON sp.office_id = v1.office_id AND sp.items = v1.items
        """
    else:
        rows = f"""
            SELECT {", ".join(f"v1.{c}" for c in g)}, v1.services_n AS services, v1.planned_min,
                   v1.actual_min, v1.travel_min, v1.rating_sum, v1.rating_n
                   {f", v1.{counted} AS c0" if counted else ""}
            FROM v1
        """
    if rated_apart:  # the marks apart; the rows above still give every row and column
        heads += f", rated AS ({_RATED})"
        rated_joins = _joins(dims, keys | {"office_id", "code"}, True)
        rated_key = [f"{_value_or_categories(d)} AS g{n}" for n, d in enumerate(dims)]
        rows += f"""
        UNION ALL
        SELECT {", ".join(rated_key)}, 0, 0, 0, 0, b.rating_sum, b.rating_n
        FROM rated b {" ".join(rated_joins)}
    """
    # by every dimension, categories still as lists: a few hundred rows
    summed = f"""
        SELECT {", ".join(g)}, {", ".join(f"sum({c}) AS {c}" for c in sums)}
        FROM ({rows}) b
        GROUP BY {", ".join(g)}
    """
    # the sets over categories count a client's visits under each category, the others (totals
    # over categories) once; counts read the column of the set's service dimensions
    category = next((n for n, d in enumerate(dims) if DIMENSIONS[d].per_category), None)
    kinds: dict[tuple[bool, int], list[list[str]]] = {}
    for s in every:
        unnest = category is not None and dims[category] in s
        kinds.setdefault((unnest, subsets.index(subset(s)) if counted else 0), []).append(s)
    parts = []
    for (unnest, i), sets in kinds.items():
        values = [
            ("cat.name" if unnest else "NULL::text") if n == category else f"r.{c}"
            for n, c in enumerate(g)
        ]
        unnested = f"CROSS JOIN LATERAL unnest(r.g{category}) AS cat(name)" if unnest else ""
        measure_sql = f"sum(b.c{i})" if counted else MEASURES[measure].sql
        outer, group_by = _grouped(dims, sets, measure_sql)
        parts.append(f"""
        SELECT {outer}
        FROM (SELECT {", ".join(f"{v} AS g{n}" for n, v in enumerate(values))},
                     {", ".join(f"r.{c}" for c in sums)}
              FROM summed r {unnested}) b
        GROUP BY {group_by}
    """)
    return f"""
        {heads}, summed AS ({summed})
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
    summed = any(DIMENSIONS[d].per_service or DIMENSIONS[d].per_category for d in dims)
    if summed:
        # it guesses ten times the groups of (dimension, office, list of services or of
        # categories) there are and sorts them; hashing them is as fast or faster (category x
        # worker, travel: 1.7 against 1.1 s on a region)
        session.execute(text("SET LOCAL enable_sort = off"))
    found: list[tuple[Any, ...]] = []
    if office_ids:
        every = [dims, [rows], [columns], []] if columns else [dims, []]
        sql = _summed_sql(dims, every, measure) if summed else _sql(dims, every, measure)
        found = [tuple(r) for r in session.execute(text(sql), params)]
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
