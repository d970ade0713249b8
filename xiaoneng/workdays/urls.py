from django.urls import path

from xiaoneng.workdays import views

app_name = "workdays"

urlpatterns = [
    path("workdays/calendar/", views.calendar_index, name="calendar"),
    path("workdays/calendar/preview/", views.calendar_preview, name="calendar_preview"),
    path("workdays/calendar/confirm/", views.calendar_confirm, name="calendar_confirm"),
    path("workdays/calendar/<int:year>/", views.calendar_year, name="calendar_year"),
]
