from django.urls import path

from xiaoneng.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public, name="public"),
    path("start/", views.landing, name="landing"),
    path("workbench/", views.workbench, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
]
