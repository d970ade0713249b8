"""Schemathesis over the REST API's own OpenAPI schema (issue 9): no request an authenticated staff
member or applicant can send gets a 5xx.

- `test_no_server_error`: every operation, with generated (valid and invalid) parameters and bodies,
  as a clerk, the efficiency office (supervisor) and an applicant; `not_a_server_error` only (the
  schema does not declare every 4xx, so conformance checks would be noise here).
- `test_stateful_workflows`: schemathesis' state machine over OpenAPI links added to the schema here
  (register a complaint → read, accept, dispatch, track it; create an item → read, declare it; …),
  with request bodies narrowed to the enumerations the services accept, so chains reach business
  logic instead of stopping at the first 400.

Both are derandomized (the same examples every run) and bounded: see docs/operations.md for the
measured time. The app is called in-process through Django's WSGI handler, inside the test's
transaction, so nothing outlives the test."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful.control import TransitionController

from xiaoneng.api.api import api
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.complaints.choices import Kind, RefusalReason
from xiaoneng.complaints.tests.conftest import submit

pytestmark = pytest.mark.django_db(transaction=False)

CSRF = "x" * 32  # a fixed CSRF cookie and the same token in the header (django-ninja's session auth checks it)
ROLES = ("clerk", "supervisor", "applicant")
MAX_EXAMPLES = 6  # per operation and role: 111 operations × 3 roles
STATEFUL_EXAMPLES = 25  # scenarios
STATEFUL_STEPS = 8  # calls per scenario

SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure reports its first example, fast
)


def _raw_schema() -> dict[str, Any]:
    # a plain JSON copy (ninja's schema object holds a reference to the API)
    return json.loads(json.dumps(api.get_openapi_schema()))


# The coverage phase (every boundary value of every parameter) alone took minutes for 111 operations;
# bounded fuzzing plus the schema's examples keeps the run short.
CONFIG = {"phases": {"coverage": {"enabled": False}}}


def _load(raw: dict[str, Any]) -> Any:
    schema = schemathesis.openapi.from_dict(raw, config=SchemathesisConfig.from_dict(CONFIG))
    schema.app = WSGIHandler()  # in-process: the WSGI transport, no server, no network
    return schema


schema = _load(_raw_schema())


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """As Django's test client does: the WSGI handler closes the connection at the end of a request
    (close_old_connections), which on PostgreSQL would close the test's transaction."""

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(world):
    """The shared world plus a published item, a complaint and a case, so ids near 1 exist."""

    item = make_item(world.dept, world.user("dept_head"))
    publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    submit(world)
    return world


def _auth(user: Any) -> dict[str, Any]:
    """case.call() keyword arguments for a signed-in user: the session and CSRF cookies (the WSGI
    transport takes cookies separately: a Cookie header is dropped) and the CSRF header."""
    c = Client()
    c.force_login(user)
    session = c.cookies["sessionid"].value
    return {"cookies": {"sessionid": session, "csrftoken": CSRF}, "headers": {"X-CSRFToken": CSRF}}


@pytest.fixture
def sessions(seeded) -> dict[str, dict[str, Any]]:
    return {role: _auth(seeded.user(role)) for role in ROLES}


@schema.parametrize()
@SETTINGS
def test_no_server_error(case, sessions):
    # each generated request is sent once per role: one database setup serves all three
    for auth in sessions.values():
        response = case.call(**auth)
        case.validate_response(response, checks=[not_a_server_error])


# --- stateful: OpenAPI links so POST workflows reach business logic --------------------------------


def _op_id(raw: dict[str, Any], method: str, path: str) -> str:
    return raw["paths"][path][method]["operationId"]


def _link(raw: dict[str, Any], source: tuple[str, str, str], targets: list[tuple[str, str]], **params: str) -> None:
    """Links from `source` (method, path, status) to each target (method, path), filling the target's
    parameters from the source's response body (e.g. pk="$response.body#/id")."""
    method, path, status = source
    links = raw["paths"][path][method]["responses"][status].setdefault("links", {})
    for t_method, t_path in targets:
        names = {p["name"] for p in raw["paths"][t_path][t_method].get("parameters", [])}
        links[f"{t_method}{t_path}".replace("/", "_").replace("{", "").replace("}", "")] = {
            "operationId": _op_id(raw, t_method, t_path),
            "parameters": {k: v for k, v in params.items() if k in names},
        }


def _body(raw: dict[str, Any], method: str, path: str, content_type: str = "application/json") -> dict[str, Any]:
    schema = raw["paths"][path][method]["requestBody"]["content"][content_type]["schema"]
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema["properties"]


def _stateful_schema(world: Any, item_code: str) -> Any:
    """The API's schema with links between the workflow operations, and the bodies that start them
    narrowed to values the services accept (choices, lengths, this world's ids), so a chain gets past
    validation: register → read, accept, refuse, dispatch, extend, close, track; window intake → read,
    accept, refuse, correct, pause, track; survey → questions, links, status, results."""

    raw = _raw_schema()
    text = {"type": "string", "minLength": 10, "maxLength": 60}
    short = {"type": "string", "minLength": 2, "maxLength": 20}
    depts = [world.dept.pk, world.other_dept.pk]

    reg = _body(raw, "post", "/api/complaints/register")
    reg.update(
        channel={"enum": ["hotline", "mailbox", "media", "hall"]},
        kind={"enum": list(Kind.values)},
        title=short,
        content=text,
        anonymous={"const": True},
        case_number={"const": ""},
    )
    # optional references left out: schemathesis does not start a chain at an operation that takes an id
    # no operation produces (a staff member's), so register would never be tried
    for optional in ("department_id", "staff_id"):
        reg.pop(optional)
    sub = _body(raw, "post", "/api/complaints/submit")
    sub.update(
        kind={"enum": list(Kind.values)},
        title=short,
        content=text,
        anonymous={"const": True},
        case_number={"const": ""},
    )
    sub.pop("department_id")
    _body(raw, "post", "/api/complaints/complaints/{pk}/refuse").update(
        reason={"enum": list(RefusalReason.values)}, note=text
    )
    _body(raw, "post", "/api/complaints/complaints/{pk}/dispatch").update(department_id={"enum": depts})
    _body(raw, "post", "/api/complaints/complaints/{pk}/extend").update(
        days={"type": "integer", "minimum": 1, "maximum": 15}, reason=text
    )
    _body(raw, "post", "/api/ratings/surveys").update(
        title=short, max_per_hour={"type": "integer", "minimum": 1, "maximum": 100}
    )
    win = _body(raw, "post", "/api/cases/window", "application/x-www-form-urlencoded")
    win.update(
        item={"const": item_code},
        applicant_name=short,
        phone={"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
        description=text,
        id_number={"const": ""},
    )

    c = "/api/complaints/complaints/{pk}"
    _link(
        raw,
        ("post", "/api/complaints/register", "200"),
        [
            ("get", c),
            ("get", c + "/suggestion"),
            ("post", c + "/accept"),
            ("post", c + "/refuse"),
            ("post", c + "/dispatch"),
            ("post", c + "/extend"),
            ("post", c + "/close"),
            ("post", c + "/reply"),
            ("get", "/api/complaints/track"),
        ],
        pk="$response.body#/id",
        number="$response.body#/number",
        code="$response.body#/code",
    )
    for action in ("accept", "dispatch", "refuse"):
        _link(
            raw,
            ("post", f"{c}/{action}", "200"),
            [("get", c), ("post", c + "/dispatch"), ("post", c + "/reply"), ("post", c + "/close")],
            pk="$response.body#/id",
        )
    _link(
        raw,
        ("post", "/api/complaints/submit", "200"),
        [("get", "/api/complaints/track")],
        number="$response.body#/number",
        code="$response.body#/code",
    )
    k = "/api/cases/{case_id}"
    _link(
        raw,
        ("post", "/api/cases/window", "201"),
        [
            ("get", k),
            ("post", k + "/accept"),
            ("post", k + "/refuse"),
            ("post", k + "/correct"),
            ("post", k + "/pause"),
            ("post", k + "/supplement-request"),
            ("get", "/api/cases/track"),
        ],
        case_id="$response.body#/id",
        tracking_number="$response.body#/tracking_number",
        code="$response.body#/verification_code",
    )
    s = "/api/ratings/surveys/{pk}"
    _link(
        raw,
        ("post", "/api/ratings/surveys", "201"),
        [("post", s + "/questions"), ("post", s + "/links"), ("post", s + "/status"), ("get", s + "/results")],
        pk="$response.body#/id",
    )
    return _load(raw)


STARTS = {
    "supervisor": {"POST /api/complaints/register", "POST /api/ratings/surveys"},
    "clerk": {"POST /api/cases/window"},
}
# a run proves it reached business logic when its start succeeded and so did a step linked after it
PROOF = {
    "supervisor": ("POST /api/complaints/register", "complaints/{pk}"),
    "clerk": ("POST /api/cases/window", "cases/{case_id}"),
}
# each role's workflow, so the few steps of a scenario are spent on its chains
WORKFLOWS = {
    "supervisor": r"^/api/(complaints/(register|track|complaints/\{pk\}(/\w+)?$)|ratings/surveys(/\{pk\}/\w+)?$)",
    "clerk": r"^/api/cases/(window|track|\{case_id\}$|\{case_id\}/(accept|refuse|correct|pause|supplement-request)$)",
}


@pytest.mark.parametrize("role", ["supervisor", "clerk"])
def test_stateful_workflows(role, seeded):

    item_code = Item.objects.values_list("implementing_code", flat=True).get()
    machine = _stateful_schema(seeded, item_code).include(path_regex=WORKFLOWS[role]).as_state_machine()
    auth = _auth(seeded.user(role))
    statuses: dict[str, list[int]] = {}

    class StartsOnly(TransitionController):
        __slots__ = ()

        def allow_root_transition(self, source, bundles):
            return source in STARTS[role] and super().allow_root_transition(source, bundles)

    class Workflows(machine):  # type: ignore[misc,valid-type]
        def setup(self):
            # scenarios start only at the role's creating operations; the rest is reached through links
            self.control.__class__ = StartsOnly

        def get_call_kwargs(self, case):
            return auth

        def after_call(self, response, case):
            statuses.setdefault(f"{case.method} {case.path}", []).append(response.status_code)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=[not_a_server_error])

    Workflows.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
        )
    )
    # the chains reached business logic: the start succeeded and linked workflow steps succeeded after it
    start, linked = PROOF[role]
    assert any(s < 300 for s in statuses.get(start, [])), statuses
    assert any(linked in op and any(s < 300 for s in codes) for op, codes in statuses.items()), statuses
