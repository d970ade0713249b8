from django.urls import path

from xiaoneng.ratings import views

app_name = "ratings"
urlpatterns = [
    # public
    path("rate/<str:token>/", views.rate, name="rate"),
    path("rate/<str:token>/qr.svg", views.qr, name="qr"),
    path("ratings/mine/", views.mine, name="mine"),
    path("ratings/statistics/", views.public_stats, name="public_stats"),
    path("s/<str:token>/", views.survey_respond_page, name="survey_respond"),
    # staff
    path("workbench/ratings/", views.rating_list, name="list"),
    path("workbench/ratings/<int:pk>/", views.rating_detail, name="detail"),
    path("workbench/ratings/case/<int:case_pk>/qr.svg", views.case_qr, name="case_qr"),
    path("workbench/terminal/", views.terminal, name="terminal"),
    path("workbench/terminal/<int:pk>/", views.terminal_rate, name="terminal_rate"),
    path("workbench/surveys/", views.surveys, name="surveys"),
    path("workbench/surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("workbench/surveys/<int:pk>/results/", views.survey_results_page, name="survey_results"),
    path("workbench/surveys/<int:pk>/export.xlsx", views.survey_export, name="survey_export"),
]
