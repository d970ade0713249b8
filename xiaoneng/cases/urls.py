from django.urls import path

from xiaoneng.cases import views

app_name = "cases"

urlpatterns = [
    # applicant and public (portal)
    path("cases/apply/", views.apply_index, name="apply_index"),
    path("cases/apply/<str:code>/", views.apply, name="apply"),
    path("cases/mine/", views.my_cases, name="my_cases"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/supplement/", views.supplement, name="supplement"),
    path("cases/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<int:pk>/materials/<int:material_id>/", views.material_download, name="material"),
    path("cases/notices/<int:pk>.pdf", views.notice_download, name="notice"),
    path("track/", views.track, name="track"),
    # staff (workbench)
    path("workbench/cases/", views.queue, name="queue"),
    path("workbench/cases/window/", views.window, name="window"),
    path("workbench/cases/enquiries/", views.enquiries, name="enquiries"),
    path("workbench/cases/negative-reports/", views.negative_reports, name="negative_reports"),
    path("workbench/cases/ledger/", views.ledger, name="ledger"),
    path("workbench/cases/<int:pk>/", views.staff_case, name="staff_case"),
    path("workbench/cases/<int:pk>/<str:name>/", views.staff_action, name="staff_action"),
]
