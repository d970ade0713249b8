from django.contrib import admin
from django.http import HttpRequest

from xiaoneng.workdays.models import CalendarRevision, CalendarYear, Clock


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ["year", "status", "source", "notice_ref", "revision", "confirmed_by", "confirmed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # years are entered through the calendar screen, which validates and recomputes

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False


@admin.register(CalendarRevision)
class CalendarRevisionAdmin(admin.ModelAdmin[CalendarRevision]):
    list_display = ["number", "created_at", "actor", "years", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarRevision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarRevision | None = None) -> bool:
        return False


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin[Clock]):
    list_display = ["label", "kind", "department", "status", "limit", "unit", "due_date", "provisional"]
    list_filter = ["kind", "status", "provisional"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Clock | None = None) -> bool:
        return False
