from django.urls import path

from xiaoneng.enterprise import views

app_name = "enterprise"
urlpatterns = [
    path("", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("monitoring/", views.report_list, name="reports"),
    path("monitoring/<int:pk>/", views.report_detail, name="report"),
    path("mine/", views.mine, name="mine"),
]
