from typing import Any

from django.conf import settings
from django.http import HttpRequest

from xiaoneng.core.menu import portal_menu_for, portal_public_menu_for, workbench_menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: the site name, the menus and the unread inbox count."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "site_name": settings.XIAONENG_SITE_NAME,
        "unread_count": unread,
        "portal_menu": portal_menu_for(user),
        "portal_public_menu": portal_public_menu_for(user),
        "workbench_menu": workbench_menu_for(user) if user is not None and user.is_authenticated else [],
    }
