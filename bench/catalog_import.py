"""Benchmark: import a generated 5,000-item catalog workbook (materials, fees, steps) into a fresh
database; report wall time and peak memory, then the time to re-import the same file (nothing
changes). Targets: under 20 s and under 500 MB.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/catalog_import.py [N] [--publish]

With --publish the items are published at once (the administrator's bulk registration): one
catalog.version_publish event per item on top of the import event.

Uses a fresh SQLite file under /tmp (migrated on the fly) unless DATABASE_URL is set (then that
database must be empty)."""

from __future__ import annotations

import io
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.sqlite3")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def build(n: int, credit_code: str) -> bytes:
    from openpyxl import Workbook

    from xiaoneng.catalog.spreadsheet.columns import SHEETS

    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    for name, cols in SHEETS.items():
        sheets[name].append([str(label) for _k, label, _h in cols])
    for i in range(n):
        base = f"{i + 1:012d}"
        code = f"{credit_code}{base}001"
        sheets["items"].append(
            [
                code,
                base,
                "",
                f"基准测试事项{i:05d}（食品经营许可类）",
                "行政许可",
                "339100",
                "市级",
                20,
                "工作日",
                "",
                10,
                "工作日",
                "",
                "",
                "具有与经营的食品品种、数量相适应的场所。",
                "",
                "承诺件",
                1,
                "市民中心 12 号窗口",
                "工作日 9:00–17:00",
                "0571-12345678",
                "12345",
                "四级：全程网办",
                "证照",
                "许可证",
                "是",
                "",
                "开办企业、餐饮",
            ]
        )
        sheets["legal_bases"].append(
            [code, "《中华人民共和国食品安全法》", "第三十五条", "国家对食品生产经营实行许可制度。"]
        )
        for m in range(3):
            sheets["materials"].append([code, f"申请材料{m + 1}", "其他材料", "原件", "是", "申请人自备", 1, "", ""])
        sheets["fees"].append([code, "工本费", "5", "10", "发改价格〔2019〕1号", "否"])
        for s, (stage, step, limit) in enumerate(
            [("受理", "窗口受理", 1), ("审查", "业务审查", 6), ("决定", "审批决定", 2)], start=1
        ):
            sheets["steps"].append(
                [code, s, stage, "全部完成", "", step, "", "", "审核人员", limit, "是否超期", "陈述、申辩", "逐级督办"]
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    publish = "--publish" in sys.argv
    n = int(args[0]) if args else 5000
    call_command("migrate", verbosity=0)
    from xiaoneng.catalog.models import Item
    from xiaoneng.catalog.spreadsheet.read import catalog_import
    from xiaoneng.core.actors import SYSTEM
    from xiaoneng.core.models import Event
    from xiaoneng.orgs.models import Department, Region

    city = Region.objects.filter(code="339100").first() or Region.objects.create(
        code="339100", name="青溪市", level="city"
    )
    dept = Department.objects.filter(region=city, name="基准测试局").first() or Department.objects.create(
        tenant_id=city.tenant_id or city.pk, region=city, name="基准测试局", credit_code="11339100000000024F"
    )
    if Item.objects.filter(department=dept).exists():
        sys.exit("the database already holds benchmark items: use a fresh one")
    data = build(n, dept.credit_code)
    print(f"workbook: {n} items, {len(data) / 1e6:.1f} MB")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events_before = Event.objects.count()
    started = time.perf_counter()
    report = catalog_import(
        data=data,
        filename="bench.xlsx",
        actor=SYSTEM,
        department=dept,
        publish=publish,
        progress=lambda d, t: print(f"  {d}/{t} ({time.perf_counter() - started:.1f} s)"),
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = Event.objects.count() - events_before
    assert report.created == n and events >= n, events
    print(
        f"created {report.created} items{' (published)' if publish else ''} in {elapsed:.1f} s, {events} events; "
        f"peak RSS {peak:.0f} MB (before import {rss_before:.0f} MB)"
    )
    # the same file again: idempotent, nothing written
    started = time.perf_counter()
    again = catalog_import(data=data, filename="bench.xlsx", actor=SYSTEM, department=dept, publish=publish)
    elapsed = time.perf_counter() - started
    assert (again.created, again.updated, again.unchanged) == (0, 0, n)
    print(f"re-import of the same file: {again.unchanged} unchanged in {elapsed:.1f} s")
    print(
        f"database: {settings.DATABASES['default']['ENGINE']}; "
        f"python {platform.python_version()}; cpus {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
