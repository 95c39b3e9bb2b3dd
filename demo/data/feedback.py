"""What clients say about their visits: a rating from 1 to 5 and now and then a few words, as
an office hears them on the phone or in a survey. Pure: every choice from one `Random`.

Most clients rate 5 or 4; a late or hurried visit brings a 3 now and then, a 2 rarely.
Comments speak of the worker as "they" (вы/они), as elderly clients often do."""

from __future__ import annotations

import random

RATED = 0.25  # share of done visits the client rates

# Weights of ratings 5, 4, 3, 2, 1 by how the visit went.
WEIGHTS = {
    "fine": (74, 21, 4, 0.8, 0.2),
    "late": (40, 36, 17, 6, 1),
    "very_late": (22, 36, 26, 13, 3),
    "hurried": (48, 34, 14, 3, 1),
}
COMMENT_CHANCE = {5: 0.35, 4: 0.5, 3: 0.85, 2: 0.95, 1: 1.0}

GENERAL = {
    5: (
        "Спасибо, всё принесли",
        "Спасибо, всё хорошо",
        "Очень довольна, спасибо большое",
        "Вежливо, внимательно, спасибо",
        "Спасибо за заботу и терпение",
        "Претензий нет",
        "Спасибо, без вас бы не справилась",
        "Пришли вовремя, всё сделали",
        "Благодарю за помощь",
        "Хороший работник, прошу не менять",
        "Всё как всегда хорошо",
        "Спасибо вашему отделению",
    ),
    4: (
        "Нормально, спасибо",
        "В целом довольна",
        "Всё сделали, только не позвонили заранее",
        "Немного торопились",
        "Хорошо, но хотелось бы подольше поговорить",
        "Хорошо, только хлеб не тот купили",
    ),
    3: (
        "Торопились, не поговорили",
        "Приходят каждый раз в разное время",
        "Сдачу не сразу отдали, потом разобрались",
        "Сделали наспех",
    ),
    2: (
        "Пробыли десять минут и ушли",
        "Разговаривали грубо",
        "Не доделали, обещали в следующий раз",
    ),
    1: (
        "Прошу заменить социального работника",
        "Не пришли вовремя, не предупредили",
    ),
}
BY_SERVICE = {  # comments about one service, by rating (5 and 4 praise, 3 and 2 complain)
    "СБ-01": (
        ("Продукты свежие, всё как просила", "Всё купили по списку, сдачу вернули до копейки"),
        ("Принесли не те продукты", "Творог забыли купить"),
    ),
    "СБ-05": (("Квитанции оплачены, чеки оставили",), ("Квитанцию за свет не оплатили",)),
    "СБ-07": (("Убрали чисто, спасибо",), ("Убрали наспех", "Не убрали на кухне")),
    "СМ-01": (("Давление померили, поговорили со мной",), ("Давление не померили",)),
    "СМ-02": (
        ("Лекарства из аптеки принесли в тот же день",),
        ("Лекарства принесли не все, остальное обещали завтра",),
    ),
    "СПр-01": (("Помогли с документами, всё объяснили",), ("Документы так и не подали",)),
}
LATE = {
    4: ("Всё сделали, но задержались", "Опоздали, но всё сделали хорошо"),
    3: ("Опоздали на полчаса", "Долго ждала", "Опоздали, не предупредили"),
    2: ("Опоздали на час", "Ждала с утра, пришли после обеда"),
}


def rating(
    rng: random.Random, *, late_min: float, hurried: bool, codes: list[str]
) -> tuple[int, str, str | None] | None:
    """(rating, comment, service code it is about) for a done visit, or None: not rated."""
    if rng.random() >= RATED:
        return None
    how = "very_late" if late_min > 30 else "late" if late_min > 15 else "fine"
    if how == "fine" and hurried:
        how = "hurried"
    stars = rng.choices((5, 4, 3, 2, 1), weights=WEIGHTS[how])[0]
    if rng.random() >= COMMENT_CHANCE[stars]:
        return stars, "", rng.choice([None, *codes]) if codes else None
    code, comment = _comment(rng, stars, late_min, codes)
    return stars, comment, code


def _comment(
    rng: random.Random, stars: int, late_min: float, codes: list[str]
) -> tuple[str | None, str]:
    if late_min > 15 and stars in LATE and rng.random() < 0.7:
        return None, rng.choice(LATE[stars])
    about = [c for c in codes if c in BY_SERVICE]
    if about and stars in (5, 4, 3, 2) and rng.random() < 0.5:
        code = rng.choice(about)
        praise, complaints = BY_SERVICE[code]
        return code, rng.choice(praise if stars >= 4 else complaints)
    return (rng.choice(codes) if codes and rng.random() < 0.3 else None), rng.choice(GENERAL[stars])
