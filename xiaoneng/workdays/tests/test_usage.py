"""Working days used by a finished clock (the 提速率 numerator): CLK-2 and CLK-3 arithmetic."""

from datetime import date

import pytest

from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.usage import working_days_used

pytestmark = pytest.mark.django_db


def test_clk2_start_day_not_counted_and_holidays_skipped():
    cal = get_calendar()
    # 2026-09-30 (Wed) → 2026-10-10 (Sat): National Day 10-01…10-07 is rest; 10-08, 10-09 and the
    # make-up Saturday 10-10 count
    assert working_days_used(cal, date(2026, 9, 30), date(2026, 10, 10), []) == 3
    # the CLK-2 example: 20 working days after 2026-02-10 is 2026-03-16, so stopping then used 20
    assert working_days_used(cal, date(2026, 2, 10), date(2026, 3, 16), []) == 20


def test_clk3_paused_days_are_not_counted():
    cal = get_calendar()
    # Mon 2026-06-01 → Fri 2026-06-12 is 9 working days; a pause Wed 06-03 → Mon 06-08 removes
    # 06-03 (the pause day), 06-04, 06-05 and 06-08 (the resumption day): the due-date convention
    assert working_days_used(cal, date(2026, 6, 1), date(2026, 6, 12), []) == 9
    assert working_days_used(cal, date(2026, 6, 1), date(2026, 6, 12), [(date(2026, 6, 3), date(2026, 6, 8))]) == 5
    # a pause begun and ended on one day removes that day
    assert working_days_used(cal, date(2026, 6, 1), date(2026, 6, 12), [(date(2026, 6, 3), date(2026, 6, 3))]) == 8
    # a pause still open at the stop counts nothing from the day it began
    assert working_days_used(cal, date(2026, 6, 1), date(2026, 6, 12), [(date(2026, 6, 3), None)]) == 1
