from django.urls import path

from xiaoneng.complaints import views

app_name = "complaints"
urlpatterns = [
    # public
    path("complaints/new/", views.complain, name="complain"),
    path("complaints/submitted/<str:number>/", views.submitted, name="submitted"),
    path("complaints/track/", views.track, name="track"),
    path("complaints/statistics/", views.public_stats, name="public_stats"),
    # efficiency office
    path("workbench/complaints/", views.office_list, name="office"),
    path("workbench/complaints/register/", views.office_register, name="office_register"),
    path("workbench/complaints/<int:pk>/", views.office_detail, name="office_detail"),
    path(
        "workbench/complaints/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    # department
    path("workbench/orders/", views.department_list, name="department"),
    path("workbench/orders/<int:pk>/", views.department_detail, name="department_detail"),
    # statistics (staff)
    path("workbench/complaints/statistics/", views.stats, name="stats"),
]
