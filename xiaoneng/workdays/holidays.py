"""The statutory holidays a year has by law, for a year whose schedule is not announced yet (CLK-4).

The State Council publishes each year's schedule (放假安排, with its swapped make-up working days)
in October–November. Until an administrator enters it, the calendar cannot know the swaps, but the
holidays themselves are fixed by 全国年节及纪念日放假办法 (国务院令第795号, amended 2024, in force
from 2025-01-01), 第二条, holidays for all citizens:

- 元旦 1 day: 1 January;
- 春节 4 days: 农历除夕 and 正月初一 to 初三;
- 清明节 1 day: the day of the 清明 solar term;
- 劳动节 2 days: 1 and 2 May;
- 端午节 1 day: 农历五月初五;
- 中秋节 1 day: 农历八月十五;
- 国庆节 3 days: 1 to 3 October.

第六条: a holiday for all citizens that falls on a Saturday or Sunday is made up (补假) on a working
day; here, the next Monday–Friday after the festival that is not itself a holiday.

The lunar dates come from the `lunardate` package (a table of the lunar calendar 1900–2099), the
清明 solar term from `chinese-calendar` (already the seed of the confirmed years). Swapped make-up
working days (调休上班) cannot be foreseen and are not guessed: a provisional year has none.
"""

from __future__ import annotations

__all__ = ["ProvisionalHoliday", "statutory_holidays"]

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

# 放假办法 第六条 applies to the holidays of all citizens only (not to 妇女节, 青年节 …).
_FIXED: list[tuple[str, int, int, int]] = [
    # name, month, first day, days
    ("元旦", 1, 1, 1),
    ("劳动节", 5, 1, 2),
    ("国庆节", 10, 1, 3),
]


@dataclass(frozen=True)
class ProvisionalHoliday:
    """A rest day a provisional year has by law: the festival itself, or its 补假 (`makeup_for`)."""

    day: date
    name: str
    makeup_for: str = ""  # the festival this day makes up for (第六条), "" for the festival itself


def _lunar(year: int, month: int, day: int) -> date | None:

    try:
        solar: date = LunarDate(year, month, day).to_solar_date()  # lunardate is untyped
    except ValueError:  # outside the package's table (1900–2099)
        return None
    return solar


def _qingming(year: int) -> date | None:

    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    except NotImplementedError:  # outside 1900–2100
        return None
    return next((d for d, name in terms if name == "清明"), None)


def _festivals(year: int) -> list[tuple[str, list[date]]]:
    out = [(name, [date(year, m, d + i) for i in range(n)]) for name, m, d, n in _FIXED]
    new_year = _lunar(year, 1, 1)
    if new_year is not None:
        # 除夕 is the last day of the previous lunar year, the day before 正月初一 (in the same
        # Gregorian year: 正月初一 falls between 21 January and 20 February)
        out.append(("春节", [new_year + timedelta(days=i) for i in range(-1, 3)]))
    qingming = _qingming(year)
    if qingming is not None:
        out.append(("清明节", [qingming]))
    for name, lunar_month, lunar_day in (("端午节", 5, 5), ("中秋节", 8, 15)):
        d = _lunar(year, lunar_month, lunar_day)
        if d is not None:
            out.append((name, [d]))
    return sorted(out, key=lambda f: f[1][0])


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[ProvisionalHoliday, ...]:
    """Every rest day `year` has by law (放假办法 第二条 and 第六条), sorted by date, before its
    schedule is announced. Festivals that coincide (中秋节 on 1–3 October) are one rest day; a
    coinciding day is not made up twice."""
    festivals = _festivals(year)
    taken: dict[date, ProvisionalHoliday] = {}
    for name, days in festivals:
        for d in days:
            taken.setdefault(d, ProvisionalHoliday(d, name))
    for name, days in festivals:
        # one make-up day for each of this festival's days on a Saturday or Sunday (and not already
        # a rest day of another festival: the 中秋 and 国庆 of 2028, 2036 …)
        owed = sum(1 for d in days if d.weekday() >= 5 and taken[d].name == name)
        d = days[-1]
        while owed:
            d += timedelta(days=1)
            if d.weekday() < 5 and d not in taken:
                taken[d] = ProvisionalHoliday(d, f"{name}补假", makeup_for=name)
                owed -= 1
    return tuple(sorted((h for h in taken.values() if h.day.year == year), key=lambda h: h.day))
