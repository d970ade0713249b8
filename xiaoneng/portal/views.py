from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.services import notification_mark_read


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def landing(request: AuthedRequest) -> HttpResponse:
    """Where signing in leads when no page was asked for: staff to their workbench (the queue, the
    dashboard), applicants to the portal's home."""
    user = request.user
    if user.is_staff_member or user.is_superuser:
        return redirect("workbench")
    return redirect("home")


def public(request: HttpRequest) -> HttpResponse:
    """信息公示: every published list and figure, from the one entry in the top bar."""
    return render(request, "portal/public.html")


@login_required
def workbench(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member and not request.user.is_superuser:
        raise PermissionDenied
    recent = request.user.notifications.all()[:10]
    return render(request, "portal/workbench.html", {"recent": recent})


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, request.user.notifications.all())  # every message, a page at a time
    template = "portal/inbox_staff.html" if request.user.is_staff_member else "portal/inbox.html"
    return render(request, template, {"items": page.object_list, "page": page})


@login_required
@require_POST
def inbox_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=request.user, notification_id=pk)
    return redirect("inbox")
