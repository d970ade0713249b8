from django.urls import path

from xiaoneng.supervision.alerts import views as alerts
from xiaoneng.supervision.bulletins import views as bulletins
from xiaoneng.supervision.efficiency import views as efficiency
from xiaoneng.supervision.irregularities import views as irregularities

app_name = "supervision"
urlpatterns = [
    path("", alerts.dashboard, name="dashboard"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert"),
    path("irregularities/", irregularities.irregularity_list, name="irregularities"),
    path("irregularities/rules/", irregularities.irregularity_rules, name="irregularity_rules"),
    path("irregularities/<int:pk>/", irregularities.irregularity_detail, name="irregularity"),
    path("thresholds/", alerts.thresholds_public, name="thresholds"),
    path("overdue/", alerts.overdue, name="overdue"),
    path("late/", alerts.late, name="late"),
    path("efficiency/", efficiency.efficiency_index, name="efficiency"),
    path("efficiency/score/<int:pk>/", efficiency.efficiency_score, name="efficiency_score"),
    path("efficiency/deduction/<int:pk>/", efficiency.efficiency_deduction, name="efficiency_deduction"),
    path("warnings/", efficiency.efficiency_warnings, name="warnings"),
    path("leader/", efficiency.leader, name="leader"),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/download.<str:fmt>", bulletins.bulletin_download, name="bulletin_download"),
]
