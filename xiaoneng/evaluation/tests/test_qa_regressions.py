"""Regressions found by the QA walk of issue 12 (browser walk as each role, hostile input)."""

from __future__ import annotations

from xiaoneng.evaluation.indicators import provider
from xiaoneng.evaluation.models import Commitment, CommitmentProgress
from xiaoneng.evaluation.services import commitment_create, commitment_publish


def test_scheme_page_names_data_sources_not_registry_keys(client, world, ev):
    # given a scheme with a data indicator read from the "ratings.satisfaction" provider
    client.force_login(world.user("supervisor"))
    # when the office opens the scheme
    body = client.get(f"/evaluation/schemes/{ev.scheme.pk}/").content.decode()
    # then the indicator table names the source by its label; the registry key is not shown as text
    table = body.split("</table>")[0]
    source = provider("ratings.satisfaction")
    assert source is not None
    assert str(source.label) in table
    assert "ratings.satisfaction" not in table


def test_refused_commitment_and_progress_keep_the_typed_input(client, world):

    head = world.user("dept_head")
    client.force_login(head)
    # given a head filling a commitment with a NaN target value
    data = {
        "year": "2026",
        "kind": "annual",
        "window": "",
        "title": "企业开办一日办结",
        "target": "企业开办全程1个工作日内办结",
        "target_value": "NaN",
        "target_unit": "工作日",
        "higher_is_better": "0",
    }
    before = Commitment.objects.count()
    page = client.post("/evaluation/commitments/", data)
    # then the page says why, keeps what was typed, and saves nothing
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="企业开办全程1个工作日内办结"' in body
    assert '<option value="0" selected>' in body
    assert Commitment.objects.count() == before
    # given a published commitment and a progress report with a year-9999 date
    c = commitment_create(actor=head, year=2026, title="t", target="x", target_value=1, target_unit="件")
    commitment_publish(actor=head, commitment=c)
    report = {
        "action": "progress",
        "reported_on": "9999-12-31",
        "actual_value": "0.8",
        "text": "全年平均0.8个工作日办结",
    }
    page = client.post(f"/evaluation/commitments/{c.pk}/", report)
    # then it is refused on the page with the text kept, and no report is written
    assert page.status_code == 200
    assert 'value="全年平均0.8个工作日办结"' in page.content.decode()
    assert not CommitmentProgress.objects.filter(commitment=c).exists()
