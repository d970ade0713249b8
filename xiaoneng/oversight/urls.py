from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.rectification_list, name="list"),
    path("<int:pk>/", views.rectification_detail, name="detail"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
