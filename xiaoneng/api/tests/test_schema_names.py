"""Every request and response schema has its own name in the OpenAPI document.

django-ninja files each schema under its class name in ``components/schemas``; two classes of the same
name (``SubmitIn`` in complaints and in disclosure) overwrite each other, so the published document
described the complaint submission with the disclosure form's fields and clients generated from it
sent the wrong body. The names are therefore prefixed with the app's noun where they would collide."""

from collections import defaultdict

from ninja import Schema

from xiaoneng.api.api import api


def _schema_classes() -> dict[str, set[str]]:
    by_name: dict[str, set[str]] = defaultdict(set)

    def walk(cls: type) -> None:
        sub: type
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("xiaoneng.") and ".tests" not in sub.__module__:
                by_name[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    return by_name


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # every router imported, so every schema class exists
    clashes = {name: sorted(where) for name, where in _schema_classes().items() if len(where) > 1}
    assert clashes == {}


def test_the_complaint_submission_is_documented_with_its_own_fields():
    document = api.get_openapi_schema()
    ref = document["paths"]["/api/complaints/submit"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fields = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"kind", "title", "content", "department_id"} <= set(fields)
