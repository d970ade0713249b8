from django.contrib import admin

from xiaoneng.core.models import Event, TrailAnchor


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["at", "subject_type", "subject_id", "seq", "action", "actor"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrailAnchor)
class TrailAnchorAdmin(admin.ModelAdmin):
    """The daily seals of the trail, for auditors to read (and copy elsewhere); written only by the task."""

    list_display = ["day", "first_event_id", "last_event_id", "events", "total_events", "digest", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
