from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.orgs.models import Region
from xiaoneng.supervision.efficiency.services import efficiency_compute, efficiency_grade_quarter
from xiaoneng.supervision.periods import quarter_of


class Command(BaseCommand):
    help = (
        "Recompute the efficiency index (SUP-5) of one month for every jurisdiction (or one, --tenant), "
        "even a frozen month; --freeze closes the month; --grade grades its quarter (SUP-5)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--tenant", help="region code of the jurisdiction (default: all)")
        parser.add_argument("--freeze", action="store_true", help="mark the month closed")
        parser.add_argument("--grade", action="store_true", help="grade the month's quarter afterwards")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            y, m = (int(x) for x in options["month"].split("-"))
            month = date(y, m, 1)
        except ValueError:
            raise CommandError("month must be YYYY-MM") from None
        tenants = Region.objects.filter(parent__isnull=True).order_by("id")
        if options.get("tenant"):
            tenants = tenants.filter(code=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"no top-level region with code {options['tenant']}")
        for tenant in tenants:
            r = efficiency_compute(tenant=tenant, month=month, freeze=options["freeze"], force=True)
            self.stdout.write(
                f"{tenant.code} {month:%Y-%m}: {r.units} units, {r.deductions} deductions, "
                f"frozen={r.frozen}, {r.seconds:.2f} s"
            )
            if options["grade"]:
                year, q = quarter_of(month)
                grades = efficiency_grade_quarter(tenant=tenant, year=year, quarter=q)
                self.stdout.write(f"{tenant.code} {year}Q{q}: {len(grades)} units graded")
