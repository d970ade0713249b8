from django.urls import path

from xiaoneng.proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="proposals"),
    path("new/", views.proposal_new, name="proposal_new"),
    path("<int:pk>/", views.proposal_detail, name="proposal"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/public/", views.public_decisions_list, name="public_decisions"),
    path("decisions/public/<int:pk>/", views.public_decision_detail, name="public_decision"),
]
