"""What the reports look like: filters, and each table's columns with Russian and English headers.

The same column lists drive the JSON answers, the page's tables and the CSV/XLSX exports, so a
heading reads the same everywhere. Russian headers follow the offices' own report forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    ru: str
    en: str
    kind: str = "text"  # text / int / minutes / duration / time / date / number / bool


@dataclass(frozen=True, slots=True)
class Filters:
    """What a report is about: offices (already checked against the user), period, worker."""

    office_ids: tuple[int, ...]
    start: date
    end: date
    worker_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """What a hierarchy report covers: the period and, optionally, one region, centre or
    office (the user's reach decides the rest)."""

    start: date
    end: date
    region_id: int | None = None
    centre: str | None = None
    office_id: int | None = None


class Table(BaseModel):
    """A report table: its columns and its rows (dicts keyed by column key)."""

    report: str
    title_ru: str
    title_en: str
    start: date
    end: date
    office_ids: list[int]
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]


class RollupTable(Table):
    """The hierarchy's figures: `top` is the highest level the user reads, `depth` the lowest
    level in the rows, `split` the date of a before / after comparison."""

    top: str
    depth: str
    split: date | None = None


class PivotTable(BaseModel):
    """A breakdown: row and column keys with their words, the cells (rows x columns) and the
    totals of each row, each column and all."""

    rows: str
    columns: str | None
    measure: str
    kind: str
    start: date
    end: date
    office_ids: list[int]
    row_keys: list[str]
    row_labels: list[str]
    column_keys: list[str]
    column_labels: list[str]
    cells: list[list[float | int | None]]
    row_totals: list[float | int | None]
    column_totals: list[float | int | None]
    total: float | int | None


def _c(key: str, ru: str, en: str, kind: str = "text") -> Column:
    return Column(key, ru, en, kind)


WORKER_TIMING = [
    _c("office_name", "Отделение", "Office"),
    _c("worker_name", "Социальный работник", "Worker"),
    _c("day", "Дата", "Date", "date"),
    _c("level", "Строка", "Row"),
    _c("planned_start", "Начало по плану", "Planned start", "time"),
    _c("actual_start", "Начало факт", "Actual start", "time"),
    _c("start_delay_min", "Опоздание к началу, мин", "Start delay, min", "minutes"),
    _c("planned_end", "Окончание по плану", "Planned end", "time"),
    _c("actual_end", "Окончание факт", "Actual end", "time"),
    _c("span_planned_min", "Рабочий день по плану, мин", "Day planned, min", "minutes"),
    _c("span_actual_min", "Рабочий день факт, мин", "Day actual, min", "minutes"),
    _c("on_site_planned_min", "У клиентов по плану, мин", "On site planned, min", "minutes"),
    _c("on_site_standard_min", "У клиентов по нормативу, мин", "On site standard, min", "minutes"),
    _c("on_site_actual_min", "У клиентов факт, мин", "On site actual, min", "minutes"),
    _c("travel_planned_min", "Дорога по плану, мин", "Travel planned, min", "minutes"),
    _c("travel_actual_min", "Дорога факт, мин", "Travel actual, min", "minutes"),
    _c("distance_km", "Пройдено, км", "Distance, km", "number"),
    _c("idle_planned_min", "Ожидание и перерыв по плану, мин", "Idle planned, min", "minutes"),
    _c("idle_actual_min", "Ожидание и простой факт, мин", "Idle actual, min", "minutes"),
    _c("visits_planned", "Посещений по плану", "Visits planned", "int"),
    _c("visits_done", "Посещений выполнено", "Visits done", "int"),
    _c("visits_late", "С опозданием > 15 мин", "Late > 15 min", "int"),
    _c("visits_missed", "Не выполнено", "Missed", "int"),
    _c("visits_unplanned", "Вне плана", "Unplanned", "int"),
    _c("services", "Оказано услуг", "Services rendered", "int"),
    _c("visits_unreviewed", "Не проверено заведующим", "Not yet reviewed", "int"),
    _c("visits_corrected", "Исправлено заведующим", "Corrected by the head", "int"),
    _c("visits_rejected", "Отклонено заведующим (не учтено)", "Rejected (not counted)", "int"),
]

CARE_PLAN = [
    _c("office_name", "Отделение", "Office"),
    _c("client_name", "Получатель услуг", "Client"),
    _c("service_code", "Код услуги", "Service code"),
    _c("service_name", "Услуга", "Service"),
    _c("due", "Положено по ИППСУ", "Due by care plan", "int"),
    _c("rendered", "Оказано", "Rendered", "int"),
    _c("shortfall", "Недовыполнение", "Shortfall", "int"),
    _c("percent", "Выполнение, %", "Fulfilment, %", "number"),
]

CALIBRATION = [
    _c("service_code", "Код услуги", "Service code"),
    _c("service_name", "Услуга", "Service"),
    _c("standard_min", "Норматив, мин", "Standard, min", "minutes"),
    _c("observations", "Наблюдений", "Observations", "int"),
    _c("median_min", "Медиана факт, мин", "Median actual, min", "minutes"),
    _c("p90_min", "90-й процентиль, мин", "90th percentile, min", "minutes"),
    _c("ratio", "Факт / норматив", "Actual / standard", "number"),
]

SERVICES_RENDERED = [
    _c("office_name", "Отделение", "Office"),
    _c("category", "Вид услуг", "Category"),
    _c("service_code", "Код услуги", "Service code"),
    _c("service_name", "Наименование услуги", "Service"),
    _c("rendered", "Количество оказанных услуг", "Services rendered", "int"),
    _c("clients", "Получателей услуг", "Clients", "int"),
    _c("minutes", "Время, мин", "Minutes", "minutes"),
]

CLIENTS_SERVED = [
    _c("office_name", "Отделение", "Office"),
    _c("client_name", "Получатель услуг", "Client"),
    _c("address", "Адрес", "Address"),
    _c("visits", "Посещений", "Visits", "int"),
    _c("services", "Услуг", "Services", "int"),
    _c("minutes", "Время у клиента, мин", "Time on site, min", "minutes"),
    _c("workers", "Социальные работники", "Workers"),
]

WORKER_REPORT = [
    _c("office_name", "Отделение", "Office"),
    _c("worker_name", "Социальный работник", "Worker"),
    _c("service_code", "Код услуги", "Service code"),
    _c("service_name", "Наименование услуги", "Service"),
    _c("rendered", "Оказано услуг", "Services rendered", "int"),
    _c("clients", "Получателей услуг", "Clients", "int"),
    _c("minutes", "Время по нормативу, мин", "Standard minutes", "minutes"),
]

FEEDBACK = [
    _c("office_name", "Отделение", "Office"),
    _c("worker_name", "Социальный работник", "Worker"),
    _c("service_code", "Код услуги", "Service code"),
    _c("service_name", "Услуга", "Service"),
    _c("ratings", "Оценок", "Ratings", "int"),
    _c("average", "Средняя оценка", "Average rating", "number"),
    _c("low", "Оценок 1–2", "Ratings 1–2", "int"),
    _c("last_comment", "Последний отзыв", "Latest comment"),
]

VISITS = [
    _c("seq", "№", "#", "int"),
    _c("client_name", "Получатель услуг", "Client"),
    _c("address", "Адрес", "Address"),
    _c("planned_start", "Начало по плану", "Planned start", "time"),
    _c("planned_end", "Окончание по плану", "Planned end", "time"),
    _c("arrived_at", "Прибытие", "Arrived", "time"),
    _c("arrival_source", "Источник прибытия", "Arrival source"),
    _c("departed_at", "Уход", "Departed", "time"),
    _c("departure_source", "Источник ухода", "Departure source"),
    _c("standard_min", "Норматив, мин", "Standard, min", "minutes"),
    _c("actual_min", "Факт, мин", "Actual, min", "minutes"),
    _c("status", "Статус", "Status"),
    _c("done_by", "Кто выполнил", "Done by"),
    _c("services", "Услуги", "Services"),
    _c("confirmed", "Подтверждено клиентом", "Confirmed by client", "bool"),
    _c("flags", "Отметки", "Flags"),
    _c("review", "Проверка заведующим", "Head's review"),
    _c("corrected_min", "Исправлено, мин", "Corrected, min", "minutes"),
]

ROLLUP = [
    _c("bucket", "Месяц", "Month"),
    _c("level", "Уровень", "Level"),
    _c("region_name", "Регион", "Region"),
    _c("centre", "Центр", "Centre"),
    _c("office_name", "Отделение", "Department"),
    _c("worker_name", "Социальный работник", "Worker"),
    _c("workers", "Работников", "Workers", "int"),
    _c("worker_months", "Человеко-месяцев", "Worker-months", "int"),
    _c("visits", "Посещений", "Visits", "int"),
    _c("services", "Оказано услуг", "Services rendered", "int"),
    _c("visits_unreviewed", "Не проверено заведующим", "Not yet reviewed", "int"),
    _c("on_site_min", "Время у клиентов", "Time on site", "duration"),
    _c("travel_min", "Время в дороге", "Travel time", "duration"),
    _c("visits_per_worker", "Посещений на работника в месяц", "Visits per worker-month", "number"),
    _c("services_per_worker", "Услуг на работника в месяц", "Services per worker-month", "number"),
    _c("on_site_min_per_worker", "У клиентов на работника в месяц", "On site per worker-month",
       "duration"),
    _c("travel_min_per_worker", "Дорога на работника в месяц", "Travel per worker-month",
       "duration"),
    _c("services_per_worker_change", "Услуг на работника: изменение", "Services per worker: change",
       "number"),
    _c("travel_min_per_worker_change", "Дорога на работника: изменение, мин",
       "Travel per worker: change, min", "number"),
]  # fmt: skip

REPORTS: dict[str, tuple[str, str, list[Column]]] = {
    "worker-timing": ("Хронометраж рабочего времени", "Worker timing", WORKER_TIMING),
    "care-plan": ("Выполнение ИППСУ по получателям", "Care-plan fulfilment", CARE_PLAN),
    "calibration": ("Фактическое время услуг и нормативы", "Service calibration", CALIBRATION),
    "services": (
        "Отчёт отделения по оказанным услугам",
        "Services rendered by office and service",
        SERVICES_RENDERED,
    ),
    "clients": ("Отчёт по получателям услуг", "Clients served", CLIENTS_SERVED),
    "workers": ("Отчёт социальных работников", "Workers' reports", WORKER_REPORT),
    "feedback": ("Оценки получателей услуг", "Client feedback", FEEDBACK),
    "visits": ("Посещения", "Visits", VISITS),
    "rollup": (
        "Показатели на социального работника в месяц",
        "Figures per social worker and month",
        ROLLUP,
    ),
}


def columns_json(columns: list[Column]) -> list[dict[str, str]]:
    return [{"key": c.key, "ru": c.ru, "en": c.en, "kind": c.kind} for c in columns]


class WorkerName(BaseModel):
    id: int
    name: str


class ReportOffice(BaseModel):
    """An office the user may report on, with its workers (for the filters)."""

    id: int
    name: str
    centre: str | None = None
    workers: list[WorkerName]


class VisitTap(BaseModel):
    """One tap behind a visit: what, when, where (metres from the address) and its verdict."""

    type: str
    t: datetime
    services: list[dict[str, Any]] | None = None
    distance_m: float | None = None
    outside_geofence: bool | None = None
    confirmed: bool | None = None
    reason: str | None = None


class VisitEvents(BaseModel):
    visit_id: int
    events: list[VisitTap]
