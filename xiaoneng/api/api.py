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
