from django.urls import path

from xiaoneng.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.filing_list, name="filings"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/pdf/", views.filing_pdf_view, name="filing_pdf"),
    path("records/", views.inspection_list, name="inspections"),
    path("records/new/", views.inspection_new, name="inspection_new"),
    path("records/check/", views.check_new, name="check_new"),
    path("records/<int:pk>/", views.inspection_detail, name="inspection"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("records/<int:pk>/evidence/", views.evidence_add_view, name="evidence_add"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke_view, name="certificate_revoke"),
    path("verify/", views.verify, name="verify"),
    path("first-violations/", views.notice_list, name="notices"),
    path("first-violations/new/", views.notice_new, name="notice_new"),
    path("first-violations/<int:pk>/", views.notice_detail, name="notice"),
    path("first-violations/<int:pk>/evidence/", views.notice_evidence_add_view, name="notice_evidence_add"),
    path("first-violations/<int:pk>/pdf/", views.notice_pdf_view, name="notice_pdf"),
    path("penalties/", views.penalty_list, name="penalties"),
    path("penalties/new/", views.penalty_new, name="penalty_new"),
    path("penalties/<int:pk>/", views.penalty_detail, name="penalty"),
    path("penalties/<int:pk>/evidence/", views.penalty_evidence_add_view, name="penalty_evidence_add"),
    path("penalties/<int:pk>/pdf/", views.penalty_pdf_view, name="penalty_pdf"),
    path("discretion/", views.discretion_public, name="discretion_public"),
    path("first-violation-list/", views.first_violation_public, name="first_violation_public"),
]
