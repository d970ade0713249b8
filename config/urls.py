from django.contrib import admin
from django.urls import include, path

from xiaoneng.api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("xiaoneng.orgs.urls")),
    path("", include("xiaoneng.portal.urls")),
    path("", include("xiaoneng.catalog.urls")),
    path("", include("xiaoneng.cases.urls")),
    path("", include("xiaoneng.workdays.urls")),
    path("", include("xiaoneng.complaints.urls")),
    path("", include("xiaoneng.disclosure.urls")),
    path("", include("xiaoneng.ratings.urls")),
    path("open311/v2/", include("xiaoneng.complaints.open311_urls")),
    path("oversight/", include("xiaoneng.oversight.urls")),
    path("inspections/", include("xiaoneng.inspections.urls")),
    path("enterprise/", include("xiaoneng.enterprise.urls")),
    path("normative/", include("xiaoneng.normative.urls")),
    path("proposals/", include("xiaoneng.proposals.urls")),
    path("supervision/", include("xiaoneng.supervision.urls")),
    path("evaluation/", include("xiaoneng.evaluation.urls")),
]
