from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from xiaoneng.orgs import views

# LoginView and LogoutView put the request's host name in `site_name`, which would replace the
# platform's name in the layout: give them ours.
SITE_CONTEXT = {"site_name": settings.XIAONENG_SITE_NAME}
# The login page tells people the lockout policy (django-axes) that is actually configured.
LOGIN_CONTEXT = {
    **SITE_CONTEXT,
    "failure_limit": settings.AXES_FAILURE_LIMIT,
    "cooloff_minutes": round(float(settings.AXES_COOLOFF_TIME) * 60),
}

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, extra_context=LOGIN_CONTEXT),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(extra_context=SITE_CONTEXT), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # 忘记密码: by e-mail link (Django's views) or by SMS code
    path(
        "accounts/password/reset/",
        views.password_reset_email,
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(extra_context=SITE_CONTEXT),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(extra_context=SITE_CONTEXT),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=SITE_CONTEXT),
        name="password_reset_complete",
    ),
    path("accounts/password/sms/", views.password_reset_sms, name="password_reset_sms"),
    path("accounts/password/sms/verify/", views.password_reset_sms_verify, name="password_reset_sms_verify"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/profile/", views.profile, name="profile"),
    path("orgs/posts/", views.posts, name="orgs_posts"),
    path("orgs/posts/<int:pk>/absent/", views.post_absent, name="orgs_post_absent"),
    path("orgs/posts/<int:pk>/present/", views.post_present, name="orgs_post_present"),
]
