from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("thresholds/", views.thresholds_public, name="thresholds"),
    path("overdue/", views.overdue, name="overdue"),
]
