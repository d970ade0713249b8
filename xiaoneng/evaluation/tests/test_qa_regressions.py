"""Regressions found by the QA walk of issue 12 (browser walk as each role, hostile input)."""

from __future__ import annotations

from xiaoneng.evaluation.indicators import provider


def test_scheme_page_names_data_sources_not_registry_keys(client, world, ev):
    # given a scheme with a data indicator read from the "ratings.satisfaction" provider
    client.force_login(world.user("supervisor"))
    # when the office opens the scheme
    body = client.get(f"/evaluation/schemes/{ev.scheme.pk}/").content.decode()
    # then the indicator table names the source by its label; the registry key is not shown as text
    table = body.split("</table>")[0]
    source = provider("ratings.satisfaction")
    assert source is not None and str(source.label) in table
    assert "ratings.satisfaction" not in table
