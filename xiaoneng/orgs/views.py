"""Pages of the organisations app: registration, the user's own account page, and A/B post
management for department heads (CAS-9)."""

from __future__ import annotations

__all__ = [
    "PasswordResetConfirm",
    "PasswordResetRequest",
    "password_reset_email",
    "password_reset_sms",
    "password_reset_sms_verify",
    "post_absent",
    "post_present",
    "posts",
    "profile",
    "register",
]

import logging
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.throttle import hit, throttle
from xiaoneng.orgs.forms import PostAbsenceForm, RegistrationForm, SmsResetConfirmForm, SmsResetRequestForm
from xiaoneng.orgs.models import Post
from xiaoneng.orgs.selectors import posts_manageable
from xiaoneng.orgs.services import (
    applicant_register,
    password_reset_by_code,
    password_reset_code_send,
    password_reset_recorded,
    post_mark_absent,
    post_mark_present,
)

log = logging.getLogger(__name__)
POSTS_PER_PAGE = 50
SMS_RESET_SESSION_KEY = "password_reset_sms_phone"


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = applicant_register(
                contact=d["contact"],
                password=d["password1"],
                display_name=d["display_name"],
                applicant_kind=d["applicant_kind"],
                id_number=d["id_number"],
                company_name=d["company_name"],
                company_credit_code=d["company_credit_code"],
            )
        except ValidationError as e:  # e.g. the same phone registered a moment ago in another tab
            form.add_error(None, e.messages)
        else:
            login(request, user, backend="xiaoneng.orgs.backends.PhoneOrUsernameBackend")
            messages.success(request, _("注册成功，欢迎使用。"))
            return redirect("home")
    return render(request, "registration/register.html", {"form": form})


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    """我的账户: who the user is; the identity number and phone are shown masked."""
    base = "workbench_base.html" if request.user.is_staff_member else "portal_base.html"
    return render(request, "orgs/profile.html", {"base_template": base, "u": request.user})


def _post_row(request: AuthedRequest, post: Post, form: PostAbsenceForm | None = None) -> HttpResponse:
    return render(request, "orgs/posts.html#post_row", {"post": post, "form": form or PostAbsenceForm()})


def _after_action(request: AuthedRequest, post: Post, ok: str, form: PostAbsenceForm | None = None) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _post_row(request, post, form)
    if form is not None and form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        messages.success(request, ok)
    return redirect("orgs_posts")


@login_required
def posts(request: AuthedRequest) -> HttpResponse:
    """CAS-9: the A/B holders of the posts the user manages, with absence switches."""
    qs = posts_manageable(request.user)
    page = Paginator(qs, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orgs/posts.html", {"page": page, "form": PostAbsenceForm()})


@login_required
@require_POST
def post_absent(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(posts_manageable(request.user), pk=pk)
    form = PostAbsenceForm(request.POST)
    if form.is_valid():
        try:
            post = post_mark_absent(post=post, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            form.add_error(None, e.messages)
    if form.errors:
        post.refresh_from_db()
        return _after_action(request, post, "", form)
    post = get_object_or_404(posts_manageable(request.user), pk=pk)
    return _after_action(request, post, _("已设置A角缺岗，工作转由B角%(name)s办理。") % {"name": post.holder_b})


@login_required
@require_POST
def post_present(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(posts_manageable(request.user), pk=pk)
    try:
        post_mark_present(post=post, actor=request.user)
    except ValidationError as e:
        form = PostAbsenceForm()
        form.add_error(None, e.messages)
        return _after_action(request, post, "", form)
    post = get_object_or_404(posts_manageable(request.user), pk=pk)
    return _after_action(request, post, _("A角已恢复到岗。"))


# --- forgotten passwords: by e-mail link (Django's views) or by SMS code -------------------------------


def _posted(request: HttpRequest) -> bool:
    return request.method == "POST"


def _reset_limited(template: str, form_class: Any) -> Any:
    """The 429 answer of a reset page: the same page, the form as posted, and the wait."""

    def on_limit(request: HttpRequest, *args: Any, message: str) -> HttpResponse:
        return render(request, template, {"form": form_class(request.POST), "limit_message": message}, status=429)

    return on_limit


class PasswordResetRequest(auth_views.PasswordResetView):
    """忘记密码 by e-mail. Django's view answers the same "sent" page whether or not an account has the
    address. The link in the mail is built on XIAONENG_PUBLIC_URL, never on the request's Host header.
    At most XIAONENG_THROTTLE_RATES["password_reset_email"] mails go to one address (silently: the
    page is the same), and requests per client address are limited ("password_reset")."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # read at each request (Django reads a class attribute); overrides the request-host site_name
        return {
            "public_url": settings.XIAONENG_PUBLIC_URL.rstrip("/"),
            "site_name": settings.XIAONENG_SITE_NAME,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }

    def form_valid(self, form: Any) -> HttpResponse:
        if hit("password_reset_email", form.cleaned_data["email"].lower()) is not None:
            log.warning("password reset mail not sent: too many for one address")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The e-mailed link's page: a new password; afterwards the login lockout is lifted."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_reset_recorded(user=form.user, via="email")
        return response


@throttle(
    "password_reset", when=_posted, on_limit=_reset_limited("registration/password_reset_sms.html", SmsResetRequestForm)
)
def password_reset_sms(request: HttpRequest) -> HttpResponse:
    """忘记密码 by SMS, step 1. Whatever the number, the answer is the same: go to step 2."""
    form = SmsResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        password_reset_code_send(phone=phone, ip=get_client_ip_address(request))
        request.session[SMS_RESET_SESSION_KEY] = phone
        messages.info(
            request,
            _("如该手机号已注册，验证码已发送，%(minutes)d分钟内有效。未收到可在1分钟后重新获取。")
            % {"minutes": settings.XIAONENG_RESET_CODE_MINUTES},
        )
        return redirect("password_reset_sms_verify")
    return render(request, "registration/password_reset_sms.html", {"form": form})


@throttle(
    "password_reset",
    when=_posted,
    on_limit=_reset_limited("registration/password_reset_sms_verify.html", SmsResetConfirmForm),
)
def password_reset_sms_verify(request: HttpRequest) -> HttpResponse:
    """忘记密码 by SMS, step 2: the code and the new password."""
    phone = request.session.get(SMS_RESET_SESSION_KEY)
    if not phone:
        return redirect("password_reset_sms")
    form = SmsResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_by_code(
                phone=phone, code=form.cleaned_data["code"], new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            del request.session[SMS_RESET_SESSION_KEY]
            return redirect("password_reset_complete")
    masked = f"{phone[:3]}****{phone[-4:]}"
    return render(request, "registration/password_reset_sms_verify.html", {"form": form, "masked_phone": masked})


password_reset_email = throttle(
    "password_reset",
    when=_posted,
    on_limit=_reset_limited("registration/password_reset_form.html", PasswordResetRequest.form_class),
)(PasswordResetRequest.as_view(extra_context={"site_name": settings.XIAONENG_SITE_NAME}))
