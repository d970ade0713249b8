"""Bench-only URLconf: the product's URLs plus /bench/insert/, a bare view that performs one INSERT
behind the same session authentication and CSRF check as the API (the floor for bench/cases.py),
and the middleware that echoes the load generator's request number (bench/cases_wrk.lua)."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from config.urls import urlpatterns as product
from xiaoneng.core.models import Notification


def bare_insert(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "login"}, status=401)
    n = Notification.objects.create(recipient=request.user, title="bench")
    return JsonResponse({"id": n.pk})


def echo_seq(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """X-Bench-Seq back on the response, so the wrk script matches each response to its request
    (wrk's response callback does not say which connection it came from), and X-Bench-Time: the
    request's wall time in the view stack and the CPU its thread spent (ms), so a slow answer shows
    whether the time went in Django (CPU or waiting on PostgreSQL) or before it (the request queued
    for a worker). Same cost on both paths."""

    def middleware(request: HttpRequest) -> HttpResponse:
        wall, cpu = time.perf_counter(), time.thread_time()
        response = get_response(request)
        seq = request.META.get("HTTP_X_BENCH_SEQ")
        if seq:
            response["X-Bench-Seq"] = seq
            response["X-Bench-Time"] = (
                f"{(time.perf_counter() - wall) * 1000:.2f},{(time.thread_time() - cpu) * 1000:.2f}"
            )
        return response

    return middleware


urlpatterns = [path("bench/insert/", bare_insert), *product]
