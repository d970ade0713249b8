from django.urls import path

from xiaoneng.normative import views

app_name = "normative"
urlpatterns = [
    path("", views.document_list, name="documents"),
    path("new/", views.document_new, name="document_new"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("public/", views.public_list, name="public"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
