from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.models import Notification
from xiaoneng.core.services import notify
from xiaoneng.orgs.models import User
from xiaoneng.workdays.services import calendar_missing_next_year


@task()
def calendar_warn_missing_year() -> int | None:
    """CLK-4: from 1 November, tell administrators once a day that next year's schedule is missing."""
    year = calendar_missing_next_year()
    if year is None:
        return None
    admins = User.objects.filter(Q(role="admin") | Q(is_superuser=True), is_active=True)
    title = _("请录入%(year)d年节假日安排") % {"year": year}
    # idempotent: at most one reminder per administrator per day, however often the task runs
    already = set(
        Notification.objects.filter(title=title, created_at__date=timezone.localdate()).values_list(
            "recipient_id", flat=True
        )
    )
    notify(
        recipients=[a for a in admins if a.pk not in already],
        title=title,
        body=_(
            "%(year)d年的放假安排尚未确认，跨入该年的期限目前按周一至周五并跳过法定节假日暂定计算。请根据国务院办公厅通知录入。"
        )
        % {"year": year},
        url="/workdays/calendar/",
        channels=("inbox", "email"),
    )
    return year
