"""Russian names for the demo (the lists live in names.json) and the grammar they need."""

from __future__ import annotations

import json
from pathlib import Path

_NAMES = json.loads(Path(__file__).with_name("names.json").read_text(encoding="utf-8"))

SURNAMES: list[str] = _NAMES["surnames"]  # masculine forms; see `feminine_surname`
ELDERLY_WOMEN: list[str] = _NAMES["elderly_women"]
ELDERLY_MEN: list[str] = _NAMES["elderly_men"]
WORKING_WOMEN: list[str] = _NAMES["working_women"]
WORKING_MEN: list[str] = _NAMES["working_men"]
FATHERS_OF_ELDERLY: list[str] = _NAMES["fathers_of_elderly"]
FATHERS_OF_WORKERS: list[str] = _NAMES["fathers_of_workers"]
# A father's name -> (patronymic of a son, patronymic of a daughter).
PATRONYMICS: dict[str, tuple[str, str]] = {
    father: (son, daughter) for father, (son, daughter) in _NAMES["patronymics"].items()
}


def feminine_surname(surname: str) -> str:
    """Иванов -> Иванова, Островский -> Островская; Шевченко and Мельник stay as they are."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ий", "ой")):
        return surname[:-2] + "ая"
    return surname


def short_name(full_name: str) -> str:
    """'Иванова Мария Петровна' -> 'Иванова М.П.'"""
    surname, *rest = full_name.split()
    return surname + " " + "".join(part[0] + "." for part in rest)
