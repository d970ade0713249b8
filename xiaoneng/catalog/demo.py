"""Demo catalog for 青溪市: 34 realistic items across 11 departments (runs after the orgs demo).

All published except a few drafts and declared ones; includes 建筑工程施工许可 with a parallel
stage of four departments (deemed consent on timeout, CAS-7), 食品经营许可 (statutory 20, committed
10, free), on-the-spot items, a hearing and an expert review, a fee with a lower and an upper
standard, an internal power and a non-public item. Idempotent: existing codes are skipped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

from xiaoneng.catalog.models import FeeCatalogEntry, Item
from xiaoneng.catalog.services import (
    fee_entry_create,
    fee_entry_publish,
    item_create,
    version_declare,
    version_publish,
    version_review,
)
from xiaoneng.core.actors import SYSTEM
from xiaoneng.orgs.models import Department, Post

XKF = (
    "《中华人民共和国行政许可法》",
    "第三十条",
    "行政机关应当将法律、法规、规章规定的有关行政许可的事项、依据、条件、数量、程序、期限以及需要提交的全部材料的目录和申请书示范文本等在办公场所公示。",
)
XKF42 = (
    "《中华人民共和国行政许可法》",
    "第四十二条",
    "除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定。",
)
ID_CARD = {
    "name": "申请人身份证明",
    "kind": "identity",
    "form": "copy",
    "source": "government",
    "instructions": "可通过电子证照库共享获取，无需提交纸质件。",
}
LICENSE_CO = {
    "name": "营业执照",
    "kind": "license",
    "form": "copy",
    "source": "government",
    "instructions": "通过数据共享核验。",
}

# (department short name, name, type, statutory, committed, extra)
ITEMS: list[tuple[str, str, str, int | None, int | None, dict[str, Any]]] = [
    (
        "市场监管局",
        "食品经营许可",
        "01",
        20,
        10,
        {
            "themes": ["开办企业", "餐饮"],
            "online_depth": "4",
            "visits": 0,
            "result_type": "license",
            "result_name": "食品经营许可证",
            "acceptance_conditions": "具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；具有专职或者兼职的食品安全管理人员和保证食品安全的规章制度。",  # noqa: E501 — a legal text reads best unbroken
            "legal": [
                (
                    "《中华人民共和国食品安全法》",
                    "第三十五条",
                    "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
                ),
                ("《食品经营许可和备案管理办法》", "第二十二条", ""),
            ],
            "materials": [
                {"name": "食品经营许可申请书", "kind": "form"},
                LICENSE_CO,
                {"name": "与食品经营相适应的主要设备设施布局、操作流程等文件", "kind": "technical"},
                {"name": "食品安全自查、从业人员健康管理等食品安全管理制度", "kind": "other"},
            ],
            "stages": [
                ("受理", [("窗口受理", "窗口受理岗", 1, "是否一次性告知补正材料", "知情、申请补正")]),
                ("审查", [("材料审查与现场核查", "业务审核岗", 7, "现场核查是否按时开展", "陈述、申辩")]),
                ("决定", [("审批决定", "审批负责人岗", 2, "不予许可须说明理由", "申请复议或提起诉讼")]),
            ],
        },
    ),
    (
        "市场监管局",
        "食品生产许可",
        "01",
        20,
        10,
        {
            "themes": ["开办企业"],
            "specials": [("testing", 10, "产品检验")],
            "legal": [
                ("《中华人民共和国食品安全法》", "第三十五条", ""),
                ("《食品生产许可管理办法》", "第二十三条", ""),
            ],
        },
    ),
    (
        "市场监管局",
        "企业登记注册（设立登记）",
        "07",
        3,
        1,
        {
            "themes": ["开办企业"],
            "online_depth": "4",
            "visits": 0,
            "legal": [
                (
                    "《中华人民共和国市场主体登记管理条例》",
                    "第十九条",
                    "登记机关应当对申请材料进行形式审查。对申请材料齐全、符合法定形式的予以确认并当场登记。",
                )
            ],
        },
    ),
    (
        "市场监管局",
        "计量器具型式批准",
        "01",
        20,
        13,
        {
            "specials": [("expert_review", 15, "组织专家技术评审")],
            "legal": [("《中华人民共和国计量法》", "第十三条", "")],
            "themes": ["企业经营"],
        },
    ),
    (
        "市场监管局",
        "特种设备使用登记",
        "07",
        15,
        5,
        {"legal": [("《中华人民共和国特种设备安全法》", "第三十三条", "")], "themes": ["企业经营"]},
    ),
    (
        "市场监管局",
        "对食品经营者的监督检查",
        "06",
        None,
        None,
        {
            "legal": [("《中华人民共和国食品安全法》", "第一百一十条", "")],
            "stages": [("检查", [("现场检查", "业务审核岗", 0, "检查前备案（涉企检查备案）", "陈述、申辩")])],
        },
    ),
    (
        "市场监管局",
        "对销售不符合食品安全标准食品的行政处罚",
        "02",
        None,
        None,
        {
            "legal": [
                ("《中华人民共和国食品安全法》", "第一百二十四条", ""),
                ("《中华人民共和国行政处罚法》", "第六十三条", ""),
            ],
            "specials": [("hearing", 20, "当事人要求听证的，依法组织听证")],
            "stages": [
                ("立案", [("立案审批", "审批负责人岗", 0, "是否在规定时限内立案", "知情")]),
                ("调查", [("调查取证", "业务审核岗", 0, "执法人员不少于两人并出示执法证件", "陈述、申辩、要求听证")]),
            ],
        },
    ),
    (
        "住建局",
        "建筑工程施工许可",
        "01",
        20,
        10,
        {
            "themes": ["工程建设"],
            "online_depth": "3",
            "result_type": "license",
            "result_name": "建筑工程施工许可证",
            "acceptance_conditions": "已经办理该建筑工程用地批准手续；依法应当办理建设工程规划许可证的，已经取得规划许可证；施工场地已经基本具备施工条件。",  # noqa: E501 — a legal text reads best unbroken
            "legal": [
                ("《中华人民共和国建筑法》", "第八条", "申请领取施工许可证，应当具备下列条件……"),
                (
                    "《建筑工程施工许可管理办法》",
                    "第四条",
                    "建设单位申请领取施工许可证，应当具备下列条件，并提交相应的证明文件。",
                ),
                XKF42,
            ],
            "materials": [
                {"name": "建筑工程施工许可证申请表", "kind": "form"},
                {"name": "建设工程规划许可证", "kind": "license", "source": "government"},
                {"name": "施工合同", "kind": "other", "form": "copy"},
                {"name": "施工图设计文件审查合格书", "kind": "technical", "source": "third_party"},
            ],
            "stages": [
                ("受理", [("窗口统一受理", "窗口受理岗", 1, "牵头部门统一收件", "知情、申请补正")]),
                (
                    "联合审查",
                    [
                        ("住建：施工条件审查", ("住建局", "业务审核岗"), 5, "按时出具意见", "陈述、申辩"),
                        ("自然资源：规划条件核验", ("自然资源局", "业务审核岗"), 5, "按时出具意见", "陈述、申辩"),
                        ("消防：消防设计审查", ("消防支队", "业务审核岗"), 5, "按时出具意见", "陈述、申辩"),
                        ("人防：人防工程审查", ("人防办", "业务审核岗"), 5, "按时出具意见", "陈述、申辩"),
                    ],
                    "parallel",
                ),
                ("决定", [("审批决定", "审批负责人岗", 2, "否定报备", "申请复议或提起诉讼")]),
            ],
        },
    ),
    (
        "住建局",
        "商品房预售许可",
        "01",
        20,
        10,
        {"themes": ["工程建设", "房产"], "legal": [("《城市商品房预售管理办法》", "第七条", "")]},
    ),
    (
        "住建局",
        "建筑业企业资质核准",
        "01",
        20,
        12,
        {
            "themes": ["企业经营"],
            "specials": [("expert_review", 20, "组织专家评审")],
            "legal": [("《建筑业企业资质管理规定》", "第十五条", "")],
        },
    ),
    (
        "住建局",
        "城市建筑垃圾处置核准",
        "01",
        20,
        7,
        {"themes": ["工程建设"], "legal": [("《城市建筑垃圾管理规定》", "第七条", "")]},
    ),
    (
        "住建局",
        "燃气经营许可",
        "01",
        20,
        13,
        {"status": "declared", "themes": ["企业经营"], "legal": [("《城镇燃气管理条例》", "第十五条", "")]},
    ),
    (
        "自然资源局",
        "建设工程规划许可",
        "01",
        20,
        10,
        {
            "themes": ["工程建设"],
            "specials": [("hearing", 20, "涉及利害关系人重大利益的，依法组织听证")],
            "legal": [
                ("《中华人民共和国城乡规划法》", "第四十条", ""),
                (
                    "《中华人民共和国行政许可法》",
                    "第四十七条",
                    "行政许可直接涉及申请人与他人之间重大利益关系的，应当告知申请人、利害关系人享有要求听证的权利。",
                ),
            ],
        },
    ),
    (
        "自然资源局",
        "建设用地规划许可",
        "01",
        20,
        10,
        {"themes": ["工程建设"], "legal": [("《中华人民共和国城乡规划法》", "第三十七条", "")]},
    ),
    (
        "自然资源局",
        "不动产登记（首次登记）",
        "07",
        30,
        5,
        {
            "themes": ["房产"],
            "legal": [("《不动产登记暂行条例》", "第二十条", "")],
            "fees": [
                (
                    "不动产登记费（住宅）",
                    "80",
                    "80",
                    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
                    True,
                )
            ],
        },
    ),
    (
        "自然资源局",
        "采矿权新立登记",
        "01",
        40,
        25,
        {
            "specials": [("expert_review", 30, "矿产资源储量评审")],
            "legal": [("《中华人民共和国矿产资源法》", "第三条", "")],
            "fees": [("采矿权使用费", "1000", "5000", "《矿产资源开采登记管理办法》第九条", False)],
        },
    ),
    (
        "消防支队",
        "公众聚集场所投入使用、营业前消防安全检查",
        "01",
        10,
        5,
        {"themes": ["开办企业", "餐饮"], "legal": [("《中华人民共和国消防法》", "第十五条", "")]},
    ),
    (
        "消防支队",
        "建设工程消防设计审查",
        "01",
        15,
        10,
        {"themes": ["工程建设"], "legal": [("《建设工程消防设计审查验收管理暂行规定》", "第十五条", "")]},
    ),
    (
        "人防办",
        "人防工程建设审批（结建）",
        "01",
        20,
        10,
        {"themes": ["工程建设"], "legal": [("《中华人民共和国人民防空法》", "第二十二条", "")]},
    ),
    (
        "人防办",
        "防空地下室易地建设费征收",
        "04",
        None,
        5,
        {
            "legal": [("《中华人民共和国人民防空法》", "第二十二条", "")],
            "fees": [
                (
                    "防空地下室易地建设费",
                    "1500",
                    "3000",
                    "《浙江省物价局 浙江省财政厅 浙江省人民防空办公室关于防空地下室易地建设费收费标准的通知》",
                    True,
                )
            ],
        },
    ),
    (
        "生态环境局",
        "建设项目环境影响报告书审批",
        "01",
        60,
        30,
        {
            "themes": ["工程建设"],
            "specials": [
                ("expert_review", 30, "组织专家技术评估"),
                ("hearing", 20, "涉及公众重大利益的，依法举行听证"),
            ],
            "legal": [
                (
                    "《中华人民共和国环境影响评价法》",
                    "第二十二条",
                    "审批部门应当自收到环境影响报告书之日起六十日内……作出审批决定并书面通知建设单位。",
                )
            ],
        },
    ),
    (
        "生态环境局",
        "排污许可证核发",
        "01",
        20,
        13,
        {"legal": [("《排污许可管理条例》", "第十三条", "")], "themes": ["企业经营"]},
    ),
    (
        "卫健委",
        "医疗机构执业登记",
        "01",
        45,
        20,
        {
            "specials": [("inspection", 10, "现场检验")],
            "legal": [("《医疗机构管理条例》", "第十五条", "")],
            "themes": ["医疗卫生"],
        },
    ),
    (
        "卫健委",
        "出生医学证明补发",
        "20",
        None,
        0,
        {
            "case_kind": "on_the_spot",
            "visits": 1,
            "themes": ["社会事务"],
            "legal": [("《中华人民共和国母婴保健法》", "第二十三条", "")],
            "stages": [("办理", [("当场办结", "窗口受理岗", 0, "当场办结", "知情")])],
        },
    ),
    (
        "卫健委",
        "公共场所卫生许可",
        "01",
        20,
        5,
        {"themes": ["开办企业", "餐饮"], "legal": [("《公共场所卫生管理条例》", "第八条", "")]},
    ),
    (
        "交通运输局",
        "道路货物运输经营许可",
        "01",
        20,
        5,
        {"themes": ["企业经营"], "legal": [("《中华人民共和国道路运输条例》", "第二十四条", "")]},
    ),
    (
        "交通运输局",
        "出租汽车驾驶员从业资格证核发",
        "01",
        20,
        10,
        {"themes": ["就业创业"], "legal": [("《出租汽车驾驶员从业资格管理规定》", "第十四条", "")], "status": "draft"},
    ),
    (
        "教育局",
        "民办学校设立审批",
        "01",
        90,
        40,
        {
            "specials": [("expert_review", 20, "专家评议")],
            "legal": [("《中华人民共和国民办教育促进法》", "第十七条", "")],
            "themes": ["教育"],
        },
    ),
    (
        "教育局",
        "教师资格认定",
        "07",
        60,
        20,
        {"online_depth": "4", "legal": [("《教师资格条例》", "第十七条", "")], "themes": ["就业创业", "教育"]},
    ),
    (
        "民政局",
        "社会团体成立登记",
        "01",
        60,
        20,
        {"legal": [("《社会团体登记管理条例》", "第十一条", "")], "themes": ["社会事务"]},
    ),
    (
        "民政局",
        "婚姻登记（结婚登记）",
        "07",
        None,
        0,
        {
            "case_kind": "on_the_spot",
            "visits": 1,
            "themes": ["社会事务"],
            "legal": [
                (
                    "《中华人民共和国民法典》",
                    "第一千零四十九条",
                    "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。",
                )
            ],
            "stages": [("办理", [("审查并当场登记", "窗口受理岗", 0, "当场办结", "知情")])],
        },
    ),
    (
        "民政局",
        "最低生活保障金给付",
        "05",
        30,
        15,
        {"themes": ["社会事务"], "legal": [("《社会救助暂行办法》", "第十一条", "")], "status": "declared"},
    ),
    (
        "政务服务局",
        "政务服务中心工作人员招聘",
        "internal",
        None,
        None,
        {"stages": [], "legal": [("《事业单位人事管理条例》", "第八条", "")]},
    ),
    (
        "司法局",
        "涉密法律援助案件指派",
        "10",
        10,
        5,
        {
            "is_public": False,
            "non_public_reason": "涉及国家秘密和个人隐私，依据《中华人民共和国保守国家秘密法》第九条不予公开。",
            "legal": [("《中华人民共和国法律援助法》", "第四十四条", "")],
        },
    ),
]


def _content(
    region: str,
    dept: Department,
    posts: dict[tuple[str, str], Post],
    depts: dict[str, Department],
    name: str,
    item_type: str,
    statutory: int | None,
    committed: int | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    legal = extra.get("legal") or [XKF]
    materials = extra.get("materials") or [{"name": f"{name}申请表", "kind": "form"}, ID_CARD]
    if "stages" in extra:
        stage_specs = extra["stages"]
    else:
        mid = max((committed or 3) - 2, 1)
        stage_specs = [
            ("受理", [("窗口受理", "窗口受理岗", 1, "是否一次性告知", "知情、申请补正")]),
            ("审查", [("业务审查", "业务审核岗", mid, "是否超期", "陈述、申辩")]),
            ("决定", [("审批决定", "审批负责人岗", 1, "不予许可须说明理由", "申请复议或提起诉讼")]),
        ]
        if committed is not None and committed < 3:
            stage_specs = [("受理与决定", [("受理并决定", "窗口受理岗", committed, "当场或按时办结", "知情")])]
    stages = []
    for spec in stage_specs:
        stage_name, steps = spec[0], spec[1]
        parallel = len(spec) > 2
        rows = []
        for step_name, post_ref, limit, point, rights in steps:
            step_dept = dept
            post_name = post_ref
            if isinstance(post_ref, tuple):
                step_dept, post_name = depts[post_ref[0]], post_ref[1]
            post = posts.get((step_dept.name, post_name))
            rows.append(
                {
                    "name": step_name,
                    "department": step_dept.pk if parallel else None,
                    "post": post.pk if post else None,
                    "role": "" if post else "reviewer",
                    "limit_days": limit,
                    "supervision_point": point,
                    "applicant_rights": rights,
                    "on_timeout": "deemed_consent" if parallel else "escalate",
                }
            )
        stages.append({"name": stage_name, "join_policy": "all", "steps": rows})
    return {
        "name": name,
        "item_type": item_type,
        "region": region,
        "gov_level": "city",
        "statutory_limit": statutory,
        "committed_limit": committed,
        "statutory_note": "自受理之日起计算" if statutory else "",
        "committed_note": "不含特别程序所需时间" if extra.get("specials") else "",
        "acceptance_conditions": extra.get("acceptance_conditions", "申请材料齐全、符合法定形式。"),
        "quantity_limits": "无数量限制",
        "case_kind": extra.get("case_kind", "committed"),
        "visits": extra.get("visits", 1),
        "place": f"青溪市民中心 {dept.short_name or dept.name} 综合窗口",
        "hours": "工作日 上午 9:00–12:00，下午 13:30–17:00（法定节假日除外）",
        "enquiry_channel": f"{dept.phone or '0571-12345'}；青溪市政务服务网在线咨询",
        "complaint_channel": "12345 政务服务便民热线；青溪市效能投诉中心 0571-87000000",
        "online_depth": extra.get("online_depth", "3"),
        "result_type": extra.get("result_type", "approval" if item_type == "01" else ""),
        "result_name": extra.get("result_name", ""),
        "is_public": extra.get("is_public", True),
        "non_public_reason": extra.get("non_public_reason", ""),
        "legal_bases": [{"law": law, "article": art, "text": text} for law, art, text in legal],
        "materials": [
            {"required": True, "copies": 1, "form": "original", "source": "applicant", **m} for m in materials
        ],
        "fees": [
            {"name": n, "lower": lo, "upper": up, "basis": b, "reducible": r}
            for n, lo, up, b, r in extra.get("fees", [])
        ],
        "special_procedures": [{"kind": k, "max_days": d, "note": note} for k, d, note in extra.get("specials", [])],
        "stages": stages,
    }


_TYPE_PREFIX = {"filing": "30", "internal": "40"}

# The catalog was drafted, reviewed and published this long before the demo's activity: the demo's
# cases go back about six weeks, and a case on a version published after its receipt is an
# irregularity (SUP-2.5, CAT-1) — the demo must not suggest a broken system (issue 9).
PUBLISHED_DAYS_AGO = 180


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Act as if it were `moment` (every timestamp the services write, and their events)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@transaction.atomic
def load(stdout: Any) -> None:
    depts = {d.short_name: d for d in Department.objects.filter(region__code="339100")}
    if not depts:
        stdout.write("catalog: the orgs demo has not run; skipped")
        return
    posts = {(p.department.name, p.name): p for p in Post.objects.select_related("department")}
    created = 0
    start = timezone.now() - timedelta(days=PUBLISHED_DAYS_AGO)
    with _at(start):  # before the items: their fees are declared against it (CAT-FEE-1)
        _load_fee_catalog(next(iter(depts.values())).tenant_id, timezone.localdate(start))
    for n, (short, name, item_type, statutory, committed, extra) in enumerate(ITEMS, start=1):
        with _at(start + timedelta(minutes=10 * n)):
            created += _load_item(n, depts[short], posts, depts, name, item_type, statutory, committed, extra)
    stdout.write(f"catalog: {created} items created ({len(ITEMS)} in the demo)")


# The demo jurisdiction's fee catalog (收费目录): every fee a demo item charges, and one more.
FEE_CATALOG = [
    (
        "ZJ-GT-01",
        "不动产登记费（住宅）",
        "不动产登记机构",
        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        "住宅类不动产登记每件 80 元",
        "80",
        "80",
        "发改价格规〔2016〕2559号",
    ),
    (
        "ZJ-GT-02",
        "采矿权使用费",
        "自然资源主管部门",
        "《矿产资源开采登记管理办法》第九条",
        "按矿区范围面积逐年缴纳，每平方公里每年 1000 元",
        "1000",
        "5000",
        "国务院令第241号",
    ),
    (
        "ZJ-RF-01",
        "防空地下室易地建设费",
        "人民防空主管部门",
        "《中华人民共和国人民防空法》第二十二条",
        "按应建防空地下室面积计收",
        "1500",
        "3000",
        "浙价费〔2016〕209号",
    ),
    (
        "ZJ-GA-01",
        "居民身份证工本费",
        "公安机关",
        "《居民身份证法》第二十条",
        "换领、补领每证 20 元",
        "20",
        "20",
        "发改价格〔2005〕436号",
    ),
]


def _load_fee_catalog(tenant_id: int, valid_from: date) -> None:
    """Draft and publish the demo fee catalog once (an entry of that name already there is kept)."""
    existing = set(FeeCatalogEntry.objects.filter(tenant_id=tenant_id).values_list("name", flat=True))
    for code, name, collector, basis, standard, lower, upper, document in FEE_CATALOG:
        if name in existing:
            continue
        entry = fee_entry_create(
            actor=SYSTEM,
            tenant_id=tenant_id,
            code=code,
            name=name,
            collector=collector,
            legal_basis=basis,
            standard=standard,
            lower=lower,
            upper=upper,
            approving_document=document,
            valid_from=valid_from,
        )
        fee_entry_publish(actor=SYSTEM, entry=entry)


def _load_item(
    n: int,
    dept: Department,
    posts: dict[tuple[str, str], Post],
    depts: dict[str, Department],
    name: str,
    item_type: str,
    statutory: int | None,
    committed: int | None,
    extra: dict[str, Any],
) -> int:
    """Create, declare, review and publish one demo item (as its status says); 0 if it exists."""
    base = f"{_TYPE_PREFIX.get(item_type, item_type)}{n:07d}000"
    code = f"{dept.credit_code}{base}001"
    if Item.objects.filter(tenant_id=dept.tenant_id, implementing_code=code).exists():
        return 0
    content = _content("339100", dept, posts, depts, name, item_type, statutory, committed, extra)
    item = item_create(
        actor=SYSTEM,
        department=dept,
        base_code=base,
        implementing_code=code,
        content=content,
        themes=extra.get("themes", []),
    )
    status = extra.get("status", "published")
    version = item.head
    if version is None:
        raise RuntimeError("invariant: version is not None")
    if status in ("declared", "published"):
        version_declare(actor=SYSTEM, version=version)
    if status == "published":
        version_review(actor=SYSTEM, version=version, approve=True, comment="经法制审核，同意公布。")
        version_publish(actor=SYSTEM, version=version)
    return 1
