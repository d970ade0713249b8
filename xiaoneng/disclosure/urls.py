from django.urls import path

from xiaoneng.disclosure import views

app_name = "disclosure"
urlpatterns = [
    # public
    path("disclosure/", views.index, name="index"),
    path("disclosure/records/<int:pk>/", views.record_public, name="record"),
    path("disclosure/guide/<int:department_pk>/", views.guide, name="guide"),
    path("disclosure/apply/", views.apply, name="apply"),
    path("disclosure/submitted/<str:number>/", views.submitted, name="submitted"),
    path("disclosure/track/", views.track, name="track"),
    path("disclosure/track/notice/<str:token>/<str:kind>/", views.track_notice, name="track_notice"),
    path("disclosure/track/file/<str:token>/<int:attachment_pk>/", views.track_attachment, name="track_attachment"),
    # applicant (signed in)
    path("disclosure/mine/", views.mine, name="mine"),
    # staff and owner
    path("workbench/disclosure/requests/", views.staff_requests, name="staff_requests"),
    path("workbench/disclosure/requests/new/", views.staff_register, name="staff_register"),
    path("workbench/disclosure/requests/<int:pk>/", views.request_detail, name="request"),
    path("workbench/disclosure/requests/<int:pk>/notice/<str:kind>/", views.request_notice, name="notice"),
    path(
        "workbench/disclosure/requests/<int:pk>/files/<int:attachment_pk>/",
        views.request_attachment,
        name="attachment",
    ),
    path("workbench/disclosure/records/", views.staff_records, name="staff_records"),
    path("workbench/disclosure/records/<int:pk>/", views.staff_record, name="staff_record"),
    path("workbench/disclosure/guide/", views.guide_edit, name="guide_edit"),
    path("workbench/disclosure/report/", views.report, name="report"),
]
