"""The whole demo region as plain data: a social-services centre with two home-care offices
in Perovo, their workers, clients and care plans. Same seed and day, same region."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from shapely.geometry import MultiPolygon

from demo.data import geography
from demo.data.care import DemoPlan, build_plan
from demo.data.geography import Building
from demo.data.people import DemoClient, DemoWorker, build_clients, build_workers

REGION_NAME = "Москва, ВАО"
CENTRE = "ГБУ ТЦСО «Перово»"
OFFICE_NAMES = (
    "Отделение социального обслуживания на дому №1",
    "Отделение социального обслуживания на дому №2",
)
# Where each office sits: (street as in an address, house number).
OFFICE_HOUSES = (("ул. Лазо", "4"), ("Перовская ул.", "32"))
HEADS = ("Кузнецова Ирина Викторовна", "Белоусова Марина Сергеевна")
MANAGER = "Соколова Елена Павловна"
CLIENTS_PER_BLOCK = 3  # clients cluster in apartment blocks, as they do in a real district


@dataclass(slots=True)
class DemoOffice:
    name: str
    head: str
    building: Building
    area: MultiPolygon
    workers: list[DemoWorker]
    clients: list[DemoClient]
    plans: dict[int, DemoPlan]  # client index -> care plan (enrolled and suspended clients)


@dataclass(slots=True)
class DemoRegion:
    name: str
    centre: str
    manager: str
    offices: list[DemoOffice]


def build_region(
    *, seed: int, today: date, workers_per_office: int = 20, clients_per_office: int = 250
) -> DemoRegion:
    """The demo region for `today`, reproducible from `seed`."""
    rng = random.Random(seed)
    houses = geography.buildings(rng)
    areas = geography.service_areas()
    offices: list[DemoOffice] = []
    for area, name in enumerate(OFFICE_NAMES):
        own = [b for b in houses if b.area == area]
        workers = build_workers(
            rng,
            area=area,
            count=workers_per_office,
            first_login=1 + area * workers_per_office,
            homes=houses,
            today=today,
        )
        blocks = rng.sample(own, max(1, clients_per_office // CLIENTS_PER_BLOCK))
        clients = build_clients(
            rng, area=area, count=clients_per_office, blocks=blocks, today=today
        )
        plans = _plans(rng, area, clients, today)
        _needs_two(rng, clients, plans)
        office_house = _house(houses, *OFFICE_HOUSES[area])
        offices.append(
            DemoOffice(name, HEADS[area], office_house, areas[area], workers, clients, plans)
        )
    return DemoRegion(REGION_NAME, CENTRE, MANAGER, offices)


def _house(houses: list[Building], street: str, number: str) -> Building:
    return next(b for b in houses if b.street == street and b.number.split(",")[0] == number)


def _plans(
    rng: random.Random, area: int, clients: list[DemoClient], today: date
) -> dict[int, DemoPlan]:
    """Care plans for the served clients; about one in twelve needs a nurse's procedures."""
    plans: dict[int, DemoPlan] = {}
    for index, client in enumerate(clients):
        if client.status not in ("enrolled", "suspended"):
            continue
        medical = rng.random() < 0.08
        plan = build_plan(
            rng,
            number=f"ИППСУ-{area + 1}-{index + 1:04d}",
            categories=client.categories,
            medical=medical,
            enrolled=client.history[0][1],
            today=today,
        )
        if any(line.service == "procedures" for line in plan.lines):
            client.required_skills = ["medical"]
        plans[index] = plan
    return plans


def _needs_two(rng: random.Random, clients: list[DemoClient], plans: dict[int, DemoPlan]) -> None:
    """A few bedridden clients need two workers at once (turning, bathing). Their relatives
    take whatever hour two workers can come together: no window of their own."""
    bedridden = [
        i
        for i, c in enumerate(clients)
        if c.status == "enrolled" and "инвалид I группы" in c.categories and i in plans
    ]
    for index in rng.sample(bedridden, min(3, len(bedridden))):
        clients[index].workers_needed = 2
        clients[index].window = None
        clients[index].notes = "Лежачий больной: пересаживание и гигиена вдвоём"
