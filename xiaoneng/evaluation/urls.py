from django.urls import path

from xiaoneng.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/report.pdf", views.report_pdf_view, name="report_pdf"),
    path("schemes/<int:pk>/report.xlsx", views.report_xlsx_view, name="report_xlsx"),
    path("talks/<int:pk>/hold/", views.talk_hold, name="talk_hold"),
    path("warnings/", views.warning_list, name="warnings"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("public/warnings/", views.public_warnings, name="public_warnings"),
    path("public/commitments/", views.public_commitments, name="public_commitments"),
    path("public/commitments/<int:pk>/", views.public_commitment, name="public_commitment"),
    path("public/results/", views.public_results, name="public_results"),
]
