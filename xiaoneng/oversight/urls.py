from django.urls import path

from xiaoneng.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.rectification_list, name="list"),
    path("<int:pk>/", views.rectification_detail, name="detail"),
    path("new/", views.rectification_new, name="new"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("workbench/", views.workbench, name="workbench"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/reports/<int:pk>/file/", views.report_file, name="report_file"),
    path("accountability/", views.record_list, name="record_list"),
    path("accountability/new/", views.record_new, name="record_new"),
    path("accountability/<int:pk>/", views.record_detail, name="record_detail"),
    path("accountability/published/", views.published_list, name="published_list"),
    path("exemptions/", views.exemption_list, name="exemption_list"),
    path("exemptions/<int:pk>/", views.exemption_detail, name="exemption_detail"),
    path("exemptions/<int:pk>/file/", views.exemption_file, name="exemption_file"),
]
