"""发展环境监测点 reports move to the enterprise app (issue 13): enterprise's migration 0002 has copied
every row (with its id); the evaluation table is dropped here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("enterprise", "0002_monitoring_reports_from_evaluation"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="monitoringpointreport", name="evaluation_mpr_dept_day"),
        migrations.DeleteModel(name="MonitoringPointReport"),
    ]
