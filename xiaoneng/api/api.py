"""The REST API root. Each app contributes a router; session authentication with CSRF for the
browser, the same permission checks as the pages."""

import logging

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Xiaoneng API",
    version="1",
    description=str(_("效能政务服务平台接口：事项目录、办件、电子监察、投诉与评价。")),
    urls_namespace="api",
    auth=django_auth,
)

from xiaoneng.cases.api import router as cases_router  # noqa: E402
from xiaoneng.catalog.api import router as catalog_router  # noqa: E402
from xiaoneng.complaints.api import router as complaints_router  # noqa: E402
from xiaoneng.disclosure.api import router as disclosure_router  # noqa: E402
from xiaoneng.enterprise.api import router as enterprise_router  # noqa: E402
from xiaoneng.evaluation.api import router as evaluation_router  # noqa: E402
from xiaoneng.inspections.api import router as inspections_router  # noqa: E402
from xiaoneng.normative.api import router as normative_router  # noqa: E402
from xiaoneng.orgs.api import router as orgs_router  # noqa: E402
from xiaoneng.oversight.api import router as oversight_router  # noqa: E402
from xiaoneng.proposals.api import router as proposals_router  # noqa: E402
from xiaoneng.ratings.api import router as ratings_router  # noqa: E402
from xiaoneng.supervision.api import router as supervision_router  # noqa: E402
from xiaoneng.workdays.api import router as workdays_router  # noqa: E402

api.add_router("/orgs", orgs_router)
api.add_router("/workdays", workdays_router)
api.add_router("/catalog", catalog_router)
api.add_router("/cases", cases_router)
api.add_router("/oversight", oversight_router)
api.add_router("/supervision", supervision_router)
api.add_router("/complaints", complaints_router)
api.add_router("/disclosure", disclosure_router)
api.add_router("/inspections", inspections_router)
api.add_router("/normative", normative_router)
api.add_router("/proposals", proposals_router)
api.add_router("/ratings", ratings_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/enterprise", enterprise_router)


from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402
from django.db import DataError  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from ninja.errors import Throttled  # noqa: E402

from xiaoneng.core.throttle import limit_message  # noqa: E402

logger = logging.getLogger(__name__)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Services raise Django's ValidationError with translated messages; the API returns them as 400.
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or str(_("没有权限执行此操作。"))}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # issue 9, a safety net behind xiaoneng.core.params: a number beyond what the database holds (an id
    # past 2**63 overflows in SQLite's driver, PostgreSQL refuses it as a DataError) is the client's error.
    logger.warning("out-of-range API input on %s: %s", request.path, exc)
    return api.create_response(request, {"detail": str(_("参数超出允许的范围。"))}, status=400)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # issue 9: too many tracking look-ups from one address (xiaoneng.core.throttle); ninja adds Retry-After
    return api.create_response(request, {"detail": limit_message(exc.wait)}, status=429)


from ninja.errors import AuthenticationError, HttpError  # noqa: E402
from ninja.errors import ValidationError as SchemaValidationError  # noqa: E402

# pydantic's error types, told in the user's language (the rest fall back to "invalid value")
_SCHEMA_ERRORS = {
    "missing": _("缺少必填项。"),
    "int_parsing": _("请输入整数。"),
    "int_type": _("请输入整数。"),
    "float_parsing": _("请输入数字。"),
    "float_type": _("请输入数字。"),
    "finite_number": _("请输入有限的数字。"),
    "bool_parsing": _("请输入是或否（true/false）。"),
    "bool_type": _("请输入是或否（true/false）。"),
    "string_type": _("请输入文字。"),
    "string_too_long": _("内容过长。"),
    "string_too_short": _("内容过短。"),
    "date_parsing": _("日期格式应为 YYYY-MM-DD。"),
    "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD。"),
    "datetime_parsing": _("时间格式应为 ISO 8601。"),
    "datetime_from_date_parsing": _("时间格式应为 ISO 8601。"),
    "list_type": _("应为列表。"),
    "dict_type": _("应为对象。"),
    "model_attributes_type": _("应为对象。"),
    "enum": _("不是可选的值。"),
    "literal_error": _("不是可选的值。"),
    "greater_than_equal": _("数值过小。"),
    "less_than_equal": _("数值过大。"),
    "int_from_float": _("请输入整数。"),
}


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    # A request that does not fit the operation's schema (a wrong JSON type, a missing field, NaN for an
    # integer): 422 as before, with each error's location and a translated message instead of pydantic's
    # English text (the raw type stays in "type" for programs).
    errors = [
        {
            "loc": list(e.get("loc", ())),
            "type": e.get("type", ""),
            "msg": str(_SCHEMA_ERRORS.get(str(e.get("type", "")), _("取值无效。"))),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": str(_("请先登录。"))}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals carry English text; the one a client meets is a body that is not JSON
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = str(_("请求内容无法解析，请发送有效的 JSON。"))
    return api.create_response(request, {"detail": message}, status=exc.status_code)
