from django.contrib import admin

from xiaoneng.workdays.models import CalendarRevision, CalendarYear, Clock


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "status", "source", "notice_ref", "revision", "confirmed_by", "confirmed_at"]

    def has_add_permission(self, request):
        return False  # years are entered through the calendar screen, which validates and recomputes

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarRevision)
class CalendarRevisionAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "actor", "years", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "department", "status", "limit", "unit", "due_date", "provisional"]
    list_filter = ["kind", "status", "provisional"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
