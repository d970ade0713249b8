from django.urls import path

from . import irregularity_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("irregularities/", irregularity_views.irregularity_list, name="irregularities"),
    path("irregularities/rules/", irregularity_views.irregularity_rules, name="irregularity_rules"),
    path("irregularities/<int:pk>/", irregularity_views.irregularity_detail, name="irregularity"),
    path("thresholds/", views.thresholds_public, name="thresholds"),
    path("overdue/", views.overdue, name="overdue"),
    path("efficiency/", views.efficiency_index, name="efficiency"),
    path("efficiency/score/<int:pk>/", views.efficiency_score, name="efficiency_score"),
    path("efficiency/deduction/<int:pk>/", views.efficiency_deduction, name="efficiency_deduction"),
    path("warnings/", views.efficiency_warnings, name="warnings"),
    path("leader/", views.leader, name="leader"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/download.<str:fmt>", views.bulletin_download, name="bulletin_download"),
]
