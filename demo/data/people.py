"""The demo's people: social workers with shifts and absences, and clients with their
categories, statuses and status history. Pure: no database; every choice from one `Random`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from demo.data import names
from demo.data.geography import Building

SPECIALIST, SOCIAL_WORKER = "специалист по социальной работе", "социальный работник"
# Every office has the same make-up, by a worker's place in its list (0-19).
SPECIALISTS = (0, 7)  # специалисты по социальной работе; the rest are social workers
NURSES = (1, 10, 17)  # nursing training: may do medical procedures
MEN = (6, 13)
BY_TRANSIT = (5, 8, 11, 15, 18)
MORNINGS_ONLY = (9, 19)  # part-time 09:00-13:00
THREE_DAYS = (16,)  # part-time Mon, Wed, Fri
DUTY = (3, 14)  # on the weekend rota: Wednesday to Sunday, and the holidays' duty


@dataclass(slots=True)
class DemoShift:
    weekday: int  # 1 = Monday
    start: time
    end: time
    lunch: bool = True


@dataclass(slots=True)
class DemoWorker:
    login: str
    area: int  # the office (0 or 1)
    full_name: str
    phone: str
    position: str
    skills: list[str]
    travel_mode: str  # walk / transit / car
    home: Building
    starts_at_home: bool
    weekly_hours: float
    shifts: list[DemoShift]
    absences: list[tuple[date, date, str]] = field(default_factory=list)


@dataclass(slots=True)
class DemoClient:
    area: int
    full_name: str
    birth_date: date
    phone: str
    building: Building
    flat: int
    categories: list[str]
    status: str  # a registry.models.ClientStatus value
    history: list[tuple[str, date, date | None, str]]  # (status, since, until, reason)
    code: str
    window: tuple[time, time] | None = None
    required_skills: list[str] = field(default_factory=list)
    workers_needed: int = 1
    notes: str = ""

    @property
    def address(self) -> str:
        return f"{self.building.address}, кв. {self.flat}"


def _person(rng: random.Random, female: bool, first_names: list[str], fathers: list[str]) -> str:
    surname = rng.choice(names.SURNAMES)
    father = rng.choice(fathers)
    son, daughter = names.PATRONYMICS[father]
    if female:
        return f"{names.feminine_surname(surname)} {rng.choice(first_names)} {daughter}"
    return f"{surname} {rng.choice(first_names)} {son}"


def mobile_phone(rng: random.Random) -> str:
    operator = rng.choice((903, 905, 909, 915, 916, 917, 925, 926, 929, 965, 967, 985, 999))
    return f"+7 {operator} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _home_phone(rng: random.Random) -> str:
    # Perovo's old exchanges: 305-309 and 370-375.
    exchange = rng.choice((305, 306, 307, 309, 370, 371, 372, 375))
    return f"+7 495 {exchange}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


# ---------------------------------------------------------------- workers


def _shift_pattern(rng: random.Random, index: int) -> tuple[list[DemoShift], float]:
    """Most work Mon-Fri 08:00-17:00, some 09:00-18:00, a few part-time, two on the weekend
    rota (Wednesday to Sunday)."""
    if index in MORNINGS_ONLY:  # no lunch break in a four-hour shift
        return [DemoShift(d, time(9), time(13), lunch=False) for d in range(1, 6)], 20.0
    if index in THREE_DAYS:
        return [DemoShift(d, time(8), time(17)) for d in (1, 3, 5)], 24.0
    if index in DUTY:  # daily clients are visited on weekends and holidays too
        return [DemoShift(d, time(8), time(17)) for d in (3, 4, 5, 6, 7)], 40.0
    start = time(9) if rng.random() < 0.3 else time(8)
    end = time(start.hour + 9)
    return [DemoShift(d, start, end) for d in range(1, 6)], 40.0


def _travel_mode(index: int, area: int) -> str:
    """Most walk, some ride public transport; three cars in the whole centre."""
    if index == 2 or (index == 12 and area == 0):
        return "car"
    if index in BY_TRANSIT:
        return "transit"
    return "walk"


def build_workers(
    rng: random.Random,
    *,
    area: int,
    count: int,
    first_login: int,
    homes: list[Building],
    today: date,
) -> list[DemoWorker]:
    """An office's social workers: mostly women, a few men, three with nursing training."""
    workers: list[DemoWorker] = []
    for index in range(count):
        female = index not in MEN
        first = names.WORKING_WOMEN if female else names.WORKING_MEN
        mode = _travel_mode(index, area)
        skills = ["medical"] if index in NURSES else []
        if mode == "car":
            skills.append("driver")
        if not female:
            skills.append("heavy")  # can lift and turn a bedridden client
        shifts, hours = _shift_pattern(rng, index)
        workers.append(
            DemoWorker(
                login=f"worker{first_login + index:02d}",
                area=area,
                full_name=_person(rng, female, first, names.FATHERS_OF_WORKERS),
                phone=mobile_phone(rng),
                position=SPECIALIST if index in SPECIALISTS else SOCIAL_WORKER,
                skills=skills,
                travel_mode=mode,
                home=rng.choice(homes),
                starts_at_home=rng.random() < 0.3,
                weekly_hours=hours,
                shifts=shifts,
            )
        )
    _add_absences(rng, workers, today)
    return workers


def _add_absences(rng: random.Random, workers: list[DemoWorker], today: date) -> None:
    """A vacation now, a sick leave now, one vacation past and one ahead."""
    chosen = rng.sample(range(len(workers)), 4)
    spans = (
        (-6, 8, "ежегодный оплачиваемый отпуск"),
        (-2, 3, "листок нетрудоспособности"),
        (-41, -28, "ежегодный оплачиваемый отпуск"),
        (14, 27, "ежегодный оплачиваемый отпуск"),
    )
    for index, (begin, end, reason) in zip(chosen, spans, strict=True):
        workers[index].absences.append(
            (today + timedelta(days=begin), today + timedelta(days=end), reason)
        )


# ---------------------------------------------------------------- clients

NOTES = (
    "Домофон не работает: звонить по телефону за 10 минут",
    "Плохо слышит: стучать громко, звонок не слышит",
    "В квартире собака, просит позвонить заранее",
    "Ключи у соседки из кв. напротив",
    "Дочь приезжает по выходным, контакт в карточке",
    "Передвигается с ходунками, открывает дверь долго",
    "Сахарный диабет: продукты по списку врача",
    "Предпочитает оплату наличными, чеки сохранять",
)
# A client's hard window for the visit's start: a morning or an afternoon of three hours or
# more; one client in eight asks for one (doctor's rounds, a day centre, a relative at home).
WINDOWS = ((9, 12), (9, 13), (10, 13), (13, 16), (14, 17), (10, 12))
WINDOW_SHARE = 0.12


def _birth_date(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def _categories(rng: random.Random, birth: date, female: bool) -> list[str]:
    lonely = "одиноко проживающая" if female else "одиноко проживающий"
    if birth.year >= 1958:  # a younger client served because of a disability
        return [rng.choice(("инвалид I группы", "инвалид II группы", "инвалид II группы"))]
    result: list[str] = []
    if birth.year <= 1927:
        result.append("ветеран ВОВ")
    elif birth.year <= 1931:
        result.append("труженик тыла")
    elif rng.random() < 0.55:
        result.append("ветеран труда")
    if birth.year <= 1941 and rng.random() < 0.02:
        result.append("житель блокадного Ленинграда")
    roll = rng.random()
    if roll < 0.05:
        result.append("инвалид I группы")
    elif roll < 0.32:
        result.append("инвалид II группы")
    elif roll < 0.47:
        result.append("инвалид III группы")
    if rng.random() < 0.5:
        result.append(lonely)
    return result


def _status(
    rng: random.Random, today: date
) -> tuple[str, list[tuple[str, date, date | None, str]]]:
    """The current status and the history that led to it."""
    enrolled = today - timedelta(days=rng.randint(60, 2500))
    roll = rng.random()
    if roll < 0.84:
        return "enrolled", [("enrolled", enrolled, None, "договор о социальном обслуживании")]
    if roll < 0.92:
        since = today - timedelta(days=rng.randint(3, 90))
        return "queued", [("queued", since, None, "заявление принято, ожидает места")]
    if roll < 0.96:
        since = today - timedelta(days=rng.randint(2, 20))
        return "suspended", [
            ("enrolled", enrolled, since, "договор о социальном обслуживании"),
            ("suspended", since, None, "госпитализация (ГКБ № 15 им. О. М. Филатова)"),
        ]
    if roll < 0.98:
        since = today - timedelta(days=rng.randint(5, 40))
        return "refused", [
            ("enrolled", enrolled, since, "договор о социальном обслуживании"),
            (
                "refused",
                since,
                since + timedelta(days=90),
                "отказ на период: выезд к родственникам",
            ),
        ]
    since = today - timedelta(days=rng.randint(10, 120))
    return "discharged", [
        ("enrolled", enrolled, since, "договор о социальном обслуживании"),
        ("discharged", since, None, "снят с обслуживания: переезд в другой район"),
    ]


def build_clients(
    rng: random.Random, *, area: int, count: int, blocks: list[Building], today: date
) -> list[DemoClient]:
    """An office's clients, clustered in `blocks`; about one in ten lives with a spouse."""
    clients: list[DemoClient] = []
    weights = [b.flats for b in blocks]
    while len(clients) < count:
        building = rng.choices(blocks, weights=weights)[0]
        flat = rng.randint(1, building.flats)
        couple = rng.random() < 0.1 and count - len(clients) >= 2
        surname = rng.choice(names.SURNAMES)
        for female in (True, False) if couple else (rng.random() < 0.78,):
            client = _client(rng, area, building, flat, female, today)
            if couple:
                client.full_name = _with_surname(client.full_name, surname, female)
                client.categories = [
                    c for c in client.categories if not c.startswith("одиноко")
                ] + ["одиноко проживающая супружеская пара"]
            clients.append(client)
    return clients


def _with_surname(full_name: str, surname: str, female: bool) -> str:
    _, first, patronymic = full_name.split()
    return f"{names.feminine_surname(surname) if female else surname} {first} {patronymic}"


def _client(
    rng: random.Random, area: int, building: Building, flat: int, female: bool, today: date
) -> DemoClient:
    roll = rng.random()
    if roll < 0.04:
        year = rng.randint(1924, 1928)
    elif roll < 0.88:
        year = round(rng.triangular(1929, 1955, 1942))
    else:
        year = rng.randint(1958, 1990)
    birth = _birth_date(rng, year)
    elderly = year < 1958
    first = (
        (names.ELDERLY_WOMEN if female else names.ELDERLY_MEN)
        if elderly
        else (names.WORKING_WOMEN if female else names.WORKING_MEN)
    )
    fathers = names.FATHERS_OF_ELDERLY if elderly else names.FATHERS_OF_WORKERS
    status, history = _status(rng, today)
    window = WINDOWS[rng.randrange(len(WINDOWS))] if rng.random() < WINDOW_SHARE else None
    return DemoClient(
        area=area,
        full_name=_person(rng, female, first, fathers),
        birth_date=birth,
        phone=_home_phone(rng) if elderly and rng.random() < 0.45 else mobile_phone(rng),
        building=building,
        flat=flat,
        categories=_categories(rng, birth, female),
        status=status,
        history=history,
        code=f"{rng.randint(0, 9999):04d}",
        window=(time(window[0]), time(window[1])) if window else None,
        notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
    )
