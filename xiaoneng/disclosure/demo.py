"""Demo data for 政务公开 (idempotent): the 市场监管局 guide, proactively disclosed records (one
published late, kept visible), and requests in every state — open (well within the limit),
corrected, consulting, extended and answered with several answer types. Lawful: nothing is overdue
by accident (open requests were received today; the one late publication is on purpose)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.disclosure.choices import AnswerType, AppealKind, AppealResult, ApplicantKind, ConsultationKind, Ground
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.services import (
    appeal_record,
    consultation_start,
    guide_save,
    record_create,
    record_publish,
    request_answer,
    request_correction_ask,
    request_correction_receive,
    request_extend,
    request_register,
    request_submit,
)
from xiaoneng.orgs.models import User

MARKER = "2025年度本市食品经营许可证发放名单"


def load(stdout: Any) -> None:
    clerk = User.objects.filter(username="clerk").select_related("department").first()
    reviewer = User.objects.filter(username="reviewer").first()
    head = User.objects.filter(username="head").first()
    zhang = User.objects.filter(username="zhang").first()
    if clerk is None or reviewer is None or head is None or clerk.department is None:
        stdout.write("disclosure demo: no demo jurisdiction, skipped\n")
        return
    if DisclosureRequest.objects.filter(description__startswith=MARKER).exists():
        stdout.write("disclosure demo: already loaded\n")
        return
    dept = clerk.department
    guide_save(
        actor=head,
        office=f"{dept.name}办公室",
        address="青溪市民中心B座3楼",
        hours="工作日 9:00—12:00，13:30—17:00",
        phone="0571-00000000",
        scope_text="机构职能、政策文件、行政许可和行政处罚决定、收费项目等，在本机关网站和政务服务大厅公开。",
        apply_text="可在线申请、当面申请或信函申请。自收到申请之日起20个工作日内答复；需要延长的，经负责人同意可延长20个工作日。",
        remedy_text="认为本机关侵犯其合法权益的，可以向本级人民政府政务公开主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。",
    )
    today = timezone.localdate()
    for days, category, title, number in (
        (2, "normative", "关于进一步优化食品经营许可办理流程的通知", "青市监〔2026〕12号"),
        (5, "licensing", "2026年11月食品经营许可决定公示", ""),
        (8, "penalty", "青溪某餐饮店行政处罚决定书", "青市监罚〔2026〕88号"),
        (3, "functions", "市场监管局机构职能", ""),
    ):
        rec = record_create(
            actor=clerk,
            category=category,
            title=title,
            doc_number=number,
            body=title + "（全文）",
            created_on=today - timedelta(days=days),
        )
        record_publish(record=rec, actor=reviewer)
    # a record published late on purpose (DIS-3: shown as 逾期公开)
    late = record_create(
        actor=clerk,
        category="planning",
        title="市场监管“十五五”规划（征求意见稿）",
        body="规划全文",
        created_on=today - timedelta(days=50),
    )
    record_publish(record=late, actor=reviewer)
    record_create(
        actor=clerk, category="fee", title="行政事业性收费项目目录", body="目录", created_on=today
    )  # awaiting review
    # requests
    base: dict[str, Any] = {"department": dept, "phone": "13900000041"}
    open_req = request_submit(
        actor=zhang, applicant_kind=ApplicantKind.NATURAL, applicant_name="张丽", description=MARKER, **base
    ).request
    extended = request_submit(
        applicant_kind=ApplicantKind.LEGAL_SERVICE,
        applicant_name="青溪明理律师事务所",
        description="2024—2026年食品抽检不合格企业名单",
        **base,
    ).request
    request_extend(request=extended, actor=head, reason="涉及三年档案，需检索汇总")
    corr = request_register(
        actor=clerk,
        channel="window",
        applicant_kind=ApplicantKind.NATURAL,
        applicant_name="赵先生",
        phone="13900000042",
        description="关于小区附近餐馆的信息",
    ).request
    request_correction_ask(request=corr, actor=clerk, items="请写明餐馆名称、地址和所需信息的种类")
    corrected = request_submit(
        applicant_kind=ApplicantKind.COMMERCIAL,
        applicant_name="青溪云帆餐饮管理有限公司",
        description="本公司许可档案",
        **base,
    ).request
    request_correction_ask(request=corrected, actor=clerk, items="请写明许可证编号")
    request_correction_receive(
        request=DisclosureRequest.objects.get(pk=corrected.pk), actor=clerk, text="JY13301020000001"
    )
    consult = request_submit(
        applicant_kind=ApplicantKind.RESEARCH,
        applicant_name="青溪大学公共管理学院",
        description="某企业的食品安全检查记录",
        **base,
    ).request
    consultation_start(request=consult, actor=clerk, kind=ConsultationKind.THIRD_PARTY, party="青溪某食品有限公司")
    for kind, name, answer, ground, agency in (
        (ApplicantKind.NATURAL, "孙女士", AnswerType.DISCLOSED, "", ""),
        (ApplicantKind.COMMERCIAL, "青溪某超市", AnswerType.PARTIAL, Ground.THIRD_PARTY, ""),
        (ApplicantKind.NATURAL, "周先生", AnswerType.NOT_OURS, "", "青溪市住房和城乡建设局，电话0571-00000001"),
        (ApplicantKind.WELFARE, "青溪食品安全志愿者协会", AnswerType.ALREADY_PUBLIC, "", ""),
        (ApplicantKind.NATURAL, "吴先生", AnswerType.WITHHELD, Ground.PROCESS, ""),
    ):
        req = request_submit(
            applicant_kind=kind, applicant_name=name, description=f"{name}申请的政府信息", **base
        ).request
        request_answer(
            request=req, actor=clerk, answer_type=answer, ground=ground, right_agency=agency, text="详见告知书。"
        )
    appeal_record(
        actor=clerk, department=dept, kind=AppealKind.RECONSIDERATION, result=AppealResult.UPHELD, filed_on=today
    )
    stdout.write(f"disclosure: {DisclosureRequest.objects.count()} requests, guide and records for {dept.name}\n")
    _ = open_req
