"""A holiday with nobody on duty, as the reason of a visit left out, in the page's language:
the planner's sentence carries the holiday's date, and the page (js/reasons.js as it loaded
it) names the holiday in its own language from the day calendar's names for that date.
Sentences stored before the date was added still say the holiday's name."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from planner.build import nobody_works
from planner.calendar import holiday_names, russian_calendar

NEW_YEAR = date(2027, 1, 1)
MOVED_MONDAY_OFF = date(2027, 2, 22)  # a day off moved from Saturday 20 February

# reasons.js as the page loaded it; `names` stands for the day calendar's answers by date.
SAY = """async ([sentences, names, planDay]) => {
  const i18n = await import('/static/js/i18n.js');
  const { unplannedReason } = await import('/static/js/reasons.js');
  const lookup = { holiday: (day) => (names[day ?? planDay] ?? {})[i18n.lang()] };
  return sentences.map((reason) => [
    unplannedReason({ code: 'nobody_works', reason }, lookup),
    unplannedReason({ code: 'nobody_works', reason }, {}),
  ]);
}"""

EXPECTED = {
    "ru": ("Праздничный нерабочий день ({}), дежурных нет", "Новогодние каникулы"),
    "en": ("Public holiday ({}), nobody on duty", "New Year Holidays"),
}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_holiday_reason_in_the_pages_language(lang: str, context: Any) -> None:
    calendar = russian_calendar([2027])
    sentence = nobody_works(NEW_YEAR, calendar)
    assert sentence == "holiday, nobody on duty: Новогодние каникулы (2027-01-01)"
    moved = nobody_works(MOVED_MONDAY_OFF, calendar)
    assert moved.endswith(" (2027-02-22)")
    old = "holiday, nobody on duty: Новогодние каникулы"  # a plan stored before the date
    names = {d.isoformat(): holiday_names(d) for d in (NEW_YEAR, MOVED_MONDAY_OFF)}
    assert names["2027-01-01"]["en"] == "New Year Holidays"

    page = context.new_page()
    page.goto(f"/?lang={lang}")
    page.wait_for_selector("button[type=submit]:not(:empty)")
    said = page.evaluate(SAY, [[sentence, moved, old], names, NEW_YEAR.isoformat()])

    text, name = EXPECTED[lang]
    (known, unknown), (moved_known, _), (old_known, old_unknown) = said
    assert known.startswith(text.format(name)), known
    # the page does not know the day: the sentence's own name, without the date
    assert unknown.startswith(text.format("Новогодние каникулы")), unknown
    assert "2027-01-01" not in known + unknown
    # a name with its own brackets keeps them; the date is read off the end
    assert moved_known.startswith(text.format(names["2027-02-22"][lang])), moved_known
    assert "(2027-02-22)" not in moved_known
    # an older sentence: named by the plan's day where the page knows it, else as stored
    assert old_known.startswith(text.format(name)), old_known
    assert old_unknown.startswith(text.format("Новогодние каникулы")), old_unknown
