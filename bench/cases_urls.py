"""Bench-only URLconf: the product's URLs plus /bench/insert/, a bare view that performs one INSERT
behind the same session authentication and CSRF check as the API (the floor for bench/cases.py)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as product
from xiaoneng.core.models import Notification


def bare_insert(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "login"}, status=401)
    n = Notification.objects.create(recipient=request.user, title="bench")
    return JsonResponse({"id": n.pk})


urlpatterns = [path("bench/insert/", bare_insert), *product]
