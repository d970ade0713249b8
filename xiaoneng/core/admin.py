from django.contrib import admin
from django.http import HttpRequest

from xiaoneng.core.models import Event, TrailAnchor


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["at", "subject_type", "subject_id", "seq", "action", "actor"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(TrailAnchor)
class TrailAnchorAdmin(admin.ModelAdmin[TrailAnchor]):
    """The daily seals of the trail, for auditors to read (and copy elsewhere); written only by the task."""

    list_display = ["day", "first_event_id", "last_event_id", "events", "total_events", "digest", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TrailAnchor | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TrailAnchor | None = None) -> bool:
        return False
