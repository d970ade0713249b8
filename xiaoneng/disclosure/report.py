"""The annual report (政府信息公开工作年度报告) in the 2021 national format (国办公开办函〔2021〕30号):
一 总体情况, 二 主动公开政府信息情况, 三 收到和处理政府信息公开申请情况, 四 政府信息公开行政复议、行政诉讼情况.

Computed from the records with SQL aggregation (one grouped query per table, whatever the number of
requests). DIS-3: the integrity check of table 三, per applicant column — 本年新收 + 上年结转 =
办理结果总计 + 结转下年度继续办理 — is computed from independent counts, so that an inconsistent
record (an answer with no result row, an answer dated before its receipt) makes it fail visibly.

Scope: one department, or a government's own report (every department of one region)."""

from __future__ import annotations

__all__ = [
    "APPEAL_COLUMNS",
    "COLUMNS",
    "ROWS",
    "AnnualReport",
    "annual_report",
    "report_data",
    "report_due_date",
    "report_from_issued",
]

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from xiaoneng.disclosure.choices import AppealKind, AppealResult, ApplicantKind, RecordCategory, RecordStatus
from xiaoneng.disclosure.models import ActiveRecord, AppealRecord, DisclosureRequest, IssuedReport
from xiaoneng.workdays.deadline import day_start

# The applicant columns of table 三.
COLUMNS: list[tuple[str, Any]] = [
    (ApplicantKind.NATURAL, _("自然人")),
    (ApplicantKind.COMMERCIAL, _("商业企业")),
    (ApplicantKind.RESEARCH, _("科研机构")),
    (ApplicantKind.WELFARE, _("社会公益组织")),
    (ApplicantKind.LEGAL_SERVICE, _("法律服务机构")),
    (ApplicantKind.OTHER, _("其他")),
    ("total", _("总计")),
]

# The rows of table 三: (key, label, kind) — kind "count" (a number per column), "head" (a label row).
ROWS: list[tuple[str, Any, str]] = [
    ("new", _("一、本年新收政府信息公开申请数量"), "count"),
    ("carried", _("二、上年结转政府信息公开申请数量"), "count"),
    ("result", _("三、本年度办理结果"), "head"),
    ("1", _("（一）予以公开"), "count"),
    ("2", _("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), "count"),
    ("3", _("（三）不予公开"), "head"),
    ("3.1", _("1.属于国家秘密"), "count"),
    ("3.2", _("2.其他法律行政法规禁止公开"), "count"),
    ("3.3", _("3.危及“三安全一稳定”"), "count"),
    ("3.4", _("4.保护第三方合法权益"), "count"),
    ("3.5", _("5.属于三类内部事务信息"), "count"),
    ("3.6", _("6.属于四类过程性信息"), "count"),
    ("3.7", _("7.属于行政执法案卷"), "count"),
    ("3.8", _("8.属于行政查询事项"), "count"),
    ("4", _("（四）无法提供"), "head"),
    ("4.1", _("1.本机关不掌握相关政府信息"), "count"),
    ("4.2", _("2.没有现成信息需要另行制作"), "count"),
    ("4.3", _("3.补正后申请内容仍不明确"), "count"),
    ("5", _("（五）不予处理"), "head"),
    ("5.1", _("1.信访举报投诉类申请"), "count"),
    ("5.2", _("2.重复申请"), "count"),
    ("5.3", _("3.要求提供公开出版物"), "count"),
    ("5.4", _("4.无正当理由大量反复申请"), "count"),
    ("5.5", _("5.要求行政机关确认或重新出具已获取信息"), "count"),
    ("6", _("（六）其他处理"), "head"),
    ("6.1", _("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"), "count"),
    ("6.2", _("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"), "count"),
    ("6.3", _("3.其他"), "count"),
    ("total", _("（七）总计"), "count"),
    ("forward", _("四、结转下年度继续办理"), "count"),
]
RESULT_ROWS = [key for key, _label, kind in ROWS if kind == "count" and key[0].isdigit()]

APPEAL_COLUMNS: list[tuple[str, Any]] = [
    (AppealResult.UPHELD, _("结果维持")),
    (AppealResult.CORRECTED, _("结果纠正")),
    (AppealResult.OTHER, _("其他结果")),
    (AppealResult.PENDING, _("尚未审结")),
    ("total", _("总计")),
]


def report_due_date(year: int, *, government: bool) -> date:
    """DIS-3: a department publishes its report by 31 January, a government by 31 March."""
    return date(year + 1, 3, 31) if government else date(year + 1, 1, 31)


@dataclass
class AnnualReport:
    year: int
    title: str
    government: bool
    due: date
    overview: dict[str, Any] = field(default_factory=dict)
    table2: list[dict[str, Any]] = field(default_factory=list)
    table3: dict[str, dict[str, int]] = field(default_factory=dict)
    table4: dict[str, dict[str, int]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    # set when the figures are the frozen ones of an issued report (report_from_issued)
    issued_at: datetime | None = None
    issued_by: str = ""

    @property
    def check_ok(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def table3_rows(self) -> list[dict[str, Any]]:
        """Rows for templates and exports: label, kind and the values in column order."""
        out = []
        for key, label, kind in ROWS:
            values = [self.table3[key][c] for c, _l in COLUMNS] if kind == "count" else []
            out.append({"key": key, "label": label, "kind": kind, "values": values})
        return out

    def table4_rows(self) -> list[dict[str, Any]]:
        return [
            {"label": label, "values": [self.table4[kind][c] for c, _l in APPEAL_COLUMNS]}
            for kind, label in AppealKind.choices
        ]


def _requests(departments: QuerySet[Any]) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(department__in=departments)


def _table3(departments: QuerySet[Any], start: Any, end: Any) -> dict[str, dict[str, int]]:
    """One grouped query: by applicant kind and result row, four filtered counts."""
    in_year_answer = Q(answered_at__gte=start, answered_at__lt=end)
    rows = (
        _requests(departments)
        .filter(Q(received_at__lt=end) | in_year_answer)
        .order_by()
        .values_list("applicant_kind", "report_row")
        .annotate(
            new=Count("id", filter=Q(received_at__gte=start, received_at__lt=end)),
            carried=Count(
                "id", filter=Q(received_at__lt=start) & (Q(answered_at__isnull=True) | Q(answered_at__gte=start))
            ),
            handled=Count("id", filter=in_year_answer),
            forward=Count(
                "id", filter=Q(received_at__lt=end) & (Q(answered_at__isnull=True) | Q(answered_at__gte=end))
            ),
        )
    )
    kinds = [c for c, _l in COLUMNS if c != "total"]
    table: dict[str, dict[str, int]] = {
        key: dict.fromkeys([*kinds, "total"], 0) for key, _l, kind in ROWS if kind == "count"
    }
    handled_any: dict[str, int] = dict.fromkeys(kinds, 0)
    for kind, row, new, carried, handled, forward in rows:
        if kind not in table["new"]:
            kind = ApplicantKind.OTHER
        table["new"][kind] += new
        table["carried"][kind] += carried
        table["forward"][kind] += forward
        handled_any[kind] += handled
        if row in table and row in RESULT_ROWS:
            table[row][kind] += handled
    for kind in kinds:
        table["total"][kind] = sum(table[r][kind] for r in RESULT_ROWS)
    for key in table:
        table[key]["total"] = sum(table[key][k] for k in kinds)
    table["_handled_any"] = {**handled_any, "total": sum(handled_any.values())}
    return table


def _table2(departments: QuerySet[Any], year: int) -> list[dict[str, Any]]:
    """Table 二 (第二十条): regulations and normative documents issued, repealed, in force; licensing,
    penalty and coercion decisions published; fees collected (万元)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    published = ActiveRecord.objects.filter(department__in=departments, status=RecordStatus.PUBLISHED)
    agg = dict(
        (cat, (issued, repealed, in_force, amount))
        for cat, issued, repealed, in_force, amount in published.order_by()
        .values_list("category")
        .annotate(
            issued=Count("id", filter=Q(created_on__gte=first, created_on__lte=last)),
            repealed=Count("id", filter=Q(repealed_on__gte=first, repealed_on__lte=last)),
            in_force=Count(
                "id", filter=Q(created_on__lte=last) & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=last))
            ),
            amount=Sum("amount", filter=Q(created_on__gte=first, created_on__lte=last)),
        )
        .values_list("category", "issued", "repealed", "in_force", "amount")
    )

    def get(cat: str) -> tuple[int, int, int, Decimal]:
        issued, repealed, in_force, amount = agg.get(cat, (0, 0, 0, None))
        return issued, repealed, in_force, amount or Decimal(0)

    rows: list[dict[str, Any]] = []
    for cat in (RecordCategory.REGULATION, RecordCategory.NORMATIVE):
        issued, repealed, in_force, _a = get(cat)
        rows.append({"article": _("第二十条第（一）项"), "label": cat.label, "values": [issued, repealed, in_force]})
    for cat, article in (
        (RecordCategory.LICENSING, _("第二十条第（五）项")),
        (RecordCategory.PENALTY, _("第二十条第（六）项")),
        (RecordCategory.COERCION, _("第二十条第（六）项")),
    ):
        rows.append({"article": article, "label": cat.label, "values": [get(cat)[0]]})
    rows.append(
        {
            "article": _("第二十条第（八）项"),
            "label": RecordCategory.FEE.label,
            "values": [get(RecordCategory.FEE)[3].quantize(Decimal("0.0001"))],
        }
    )
    return rows


def _table4(departments: QuerySet[Any], year: int) -> dict[str, dict[str, int]]:
    rows = (
        AppealRecord.objects.filter(department__in=departments, filed_on__year=year)
        .order_by()
        .values_list("kind", "result")
        .annotate(n=Count("id"))
    )
    table = {kind: dict.fromkeys([c for c, _l in APPEAL_COLUMNS], 0) for kind in AppealKind.values}
    for kind, result, n in rows:
        table[kind][result] += n
        table[kind]["total"] += n
    return table


def _overview(departments: QuerySet[Any], start: Any, end: Any, table3: dict[str, dict[str, int]]) -> dict[str, Any]:
    records = ActiveRecord.objects.filter(
        department__in=departments, status=RecordStatus.PUBLISHED, published_at__gte=start, published_at__lt=end
    ).aggregate(total=Count("id"), late=Count("id", filter=Q(published_late=True)))
    answers = (
        _requests(departments)
        .filter(answered_at__gte=start, answered_at__lt=end)
        .aggregate(answered=Count("id"), on_time=Count("id", filter=Q(answered_on_time=True)))
    )
    return {
        "records_published": records["total"],
        "records_late": records["late"],
        "requests_new": table3["new"]["total"],
        "requests_answered": answers["answered"],
        "answers_on_time": answers["on_time"],
    }


def annual_report(*, year: int, departments: QuerySet[Any], title: str, government: bool) -> AnnualReport:
    """The four tables for `departments` (already scoped by the caller) in `year`."""
    start, end = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    report = AnnualReport(
        year=year, title=title, government=government, due=report_due_date(year, government=government)
    )
    table3 = _table3(departments, start, end)
    handled_any = table3.pop("_handled_any")
    report.table3 = table3
    report.table2 = _table2(departments, year)
    report.table4 = _table4(departments, year)
    report.overview = _overview(departments, start, end, table3)
    # DIS-3: new + carried over = handled + carried forward, per column; and every answer in a result row
    for col, label in COLUMNS:
        left = table3["new"][col] + table3["carried"][col]
        right = table3["total"][col] + table3["forward"][col]
        report.checks.append(
            {
                "column": label,
                "left": left,
                "right": right,
                "unclassified": handled_any[col] - table3["total"][col],
                "ok": left == right and handled_any[col] == table3["total"][col],
            }
        )
    return report


def _plain(value: Any) -> Any:
    """JSON-safe: lazy labels as text, amounts as their decimal string."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (int, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def report_data(report: AnnualReport) -> dict[str, Any]:
    """The figures of `report` as stored when it is issued (IssuedReport.data)."""
    return {
        "overview": _plain(report.overview),
        "table2": _plain(report.table2),
        "table3": _plain(report.table3),
        "table4": _plain(report.table4),
        "checks": _plain(report.checks),
    }


def report_from_issued(issued: IssuedReport) -> AnnualReport:
    """DIS-3: an issued report shows the figures it was issued with, whatever changed since."""
    data = issued.data
    user = issued.issued_by
    return AnnualReport(
        year=issued.year,
        title=issued.title,
        government=issued.government,
        due=report_due_date(issued.year, government=issued.government),
        overview=dict(data["overview"]),
        table2=list(data["table2"]),
        table3={k: dict(v) for k, v in data["table3"].items()},
        table4={k: dict(v) for k, v in data["table4"].items()},
        checks=list(data["checks"]),
        issued_at=issued.issued_at,
        issued_by=(user.get_full_name() or user.username) if user else "",
    )
