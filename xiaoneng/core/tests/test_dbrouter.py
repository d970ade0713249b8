"""The read-replica router (docs/operations.md): which reads go to the replica, and that writes and
read-after-write never do."""

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse

from xiaoneng.core.dbrouter import PRIMARY, REPLICA, REPLICA_VIEWS, STICKY_COOKIE, ReplicaRouter, replica_reads
from xiaoneng.orgs.models import Department

router = ReplicaRouter()
replica_on = override_settings(XIAONENG_READ_REPLICA=True)


@replica_on
def test_reads_go_to_the_primary_outside_a_replica_block():
    assert router.db_for_read(Department) == PRIMARY
    assert router.db_for_write(Department) == PRIMARY


@replica_on
def test_reads_in_a_replica_block_go_to_the_replica():
    with replica_reads():
        assert router.db_for_read(Department) == REPLICA


def test_without_a_configured_replica_every_read_is_on_the_primary():
    with override_settings(XIAONENG_READ_REPLICA=False), replica_reads():
        assert router.db_for_read(Department) == PRIMARY


@replica_on
def test_after_a_write_the_rest_of_the_block_reads_the_primary():
    with replica_reads():
        assert router.db_for_write(Department) == PRIMARY
        assert router.db_for_read(Department) == PRIMARY
    with replica_reads():  # a new request starts afresh
        assert router.db_for_read(Department) == REPLICA


@replica_on
def test_a_browser_that_just_wrote_reads_the_primary():
    with replica_reads(sticky=True):
        assert router.db_for_read(Department) == PRIMARY


@replica_on
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_inside_a_transaction_stay_on_the_primary():
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Department) == PRIMARY


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(PRIMARY, "orgs") is True
    assert router.allow_migrate(REPLICA, "orgs") is False


def _view_names(resolver=None, ns=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _view_names(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif p.name:
            yield ns + p.name


def test_every_page_listed_for_the_replica_exists():
    # a renamed view would silently fall back to the primary: the list must name real pages
    assert set(_view_names()) >= REPLICA_VIEWS


@replica_on
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_dashboard_reads_from_the_replica_and_a_post_marks_the_browser(client, world):
    # given: a supervisor on the dashboard (a page in REPLICA_VIEWS)
    client.force_login(world.user("supervisor"))
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    assert len(on_replica.captured_queries) > 0
    # when: the browser writes (any unsafe request), then opens the dashboard again
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert STICKY_COOKIE in response.cookies
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        client.get(reverse("supervision:dashboard"))
    # then: it reads the primary, which has what it just wrote
    assert on_replica.captured_queries == []


@replica_on
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_page_that_is_not_listed_never_reads_the_replica(client, world):
    client.force_login(world.user("clerk"))
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(reverse("cases:queue")).status_code == 200
    assert on_replica.captured_queries == []
