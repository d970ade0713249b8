"""The fictional demo jurisdiction: 青溪市 with two counties and four townships, departments with
realistic names, staff with posts and A/B holders, and one account per role (password below)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from xiaoneng.orgs.choices import ApplicantKind, RegionLevel, Role
from xiaoneng.orgs.models import Department, Post, Region, User
from xiaoneng.orgs.validators import credit_code_check_char, id_number_check_char

DEMO_PASSWORD = "Xiaoneng@2026"

REGIONS = [
    # code, name, level, parent code
    ("339100", "青溪市", RegionLevel.CITY, None),
    ("339102", "清河区", RegionLevel.COUNTY, "339100"),
    ("339121", "云山县", RegionLevel.COUNTY, "339100"),
    ("339102001", "城东街道", RegionLevel.TOWNSHIP, "339102"),
    ("339102002", "城西街道", RegionLevel.TOWNSHIP, "339102"),
    ("339121101", "云山镇", RegionLevel.TOWNSHIP, "339121"),
    ("339121201", "白石乡", RegionLevel.TOWNSHIP, "339121"),
]

DEPARTMENTS = [
    # region code, name, short name, legal office?
    ("339100", "青溪市市场监督管理局", "市场监管局", False),
    ("339100", "青溪市自然资源和规划局", "自然资源局", False),
    ("339100", "青溪市住房和城乡建设局", "住建局", False),
    ("339100", "青溪市消防救援支队", "消防支队", False),
    ("339100", "青溪市人民防空办公室", "人防办", False),
    ("339100", "青溪市生态环境局", "生态环境局", False),
    ("339100", "青溪市卫生健康委员会", "卫健委", False),
    ("339100", "青溪市交通运输局", "交通运输局", False),
    ("339100", "青溪市教育局", "教育局", False),
    ("339100", "青溪市民政局", "民政局", False),
    ("339100", "青溪市司法局", "司法局", True),
    ("339100", "青溪市效能建设领导小组办公室", "市效能办", False),
    ("339100", "青溪市政务服务和数据管理局", "政务服务局", False),
    ("339102", "清河区市场监督管理局", "清河区市场监管局", False),
    ("339102", "清河区住房和城乡建设局", "清河区住建局", False),
    ("339121", "云山县市场监督管理局", "云山县市场监管局", False),
    ("339121", "云山县自然资源局", "云山县自然资源局", False),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "海燕",
    "志强",
    "丽华",
    "文博",
    "思远",
    "雨桐",
    "子涵",
    "浩然",
    "欣怡",
]

# The accounts a demo visitor signs in with, one per role.
ROLE_ACCOUNTS = [
    # username, display name, role, department short name or None, region code
    ("clerk", "李科员", Role.CLERK, "市场监管局", "339100"),
    ("reviewer", "周审核", Role.REVIEWER, "市场监管局", "339100"),
    ("head", "吴局长", Role.DEPT_HEAD, "市场监管局", "339100"),
    ("legal", "郑法制", Role.LEGAL, "司法局", "339100"),
    ("supervisor", "王主任", Role.SUPERVISOR, "市效能办", "339100"),
    ("supervisor_qh", "冯主任", Role.SUPERVISOR, None, "339102"),
    ("leader", "陈书记", Role.LEADER, None, "339100"),
    ("admin", "刘工", Role.ADMIN, "政务服务局", "339100"),
]


def _credit_code(region_code: str, n: int) -> str:
    first17 = f"11{region_code}{n:08d}A"[:17]
    return first17 + credit_code_check_char(first17)


def _id_number(n: int) -> str:
    first17 = f"339102198{n % 10}0{(n % 9) + 1}1{n % 10}{n:03d}"[:17]
    return first17 + id_number_check_char(first17)


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def _user(username: str, **fields: Any) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load(stdout: Any) -> None:
    regions: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        r = Region.objects.filter(code=code).first()
        if r is None:
            r = Region(code=code, name=name, level=level, parent=regions.get(parent or ""))
            r.save()
        regions[code] = r
    depts: dict[str, Department] = {}
    for i, (rcode, name, short, legal) in enumerate(DEPARTMENTS, start=1):
        region = regions[rcode]
        d = Department.objects.filter(region=region, name=name).first()
        if d is None:
            d = Department.objects.create(
                tenant_id=region.tenant_id or region.pk,
                region=region,
                name=name,
                short_name=short,
                credit_code=_credit_code(rcode, i),
                address=f"{region.name}行政服务中心{i}号窗口区",
                phone=f"0571-8{i:03d}{i:04d}"[:13],
                is_legal_office=legal,
            )
        depts[short] = d
    for username, display, role, dept_short, rcode in ROLE_ACCOUNTS:
        _user(
            username,
            display_name=display,
            role=role,
            department=depts.get(dept_short or ""),
            region=regions[rcode],
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            email=f"{username}@demo.invalid",
        )
    # staff: four per department — two window clerks and a reviewer on A/B posts, and a head
    n = 0
    for d in depts.values():
        staff = []
        for j, role in enumerate([Role.CLERK, Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD]):
            n += 1
            staff.append(
                _user(
                    f"staff{d.pk:02d}{j}",
                    display_name=_name(n),
                    role=role,
                    department=d,
                    phone=f"139{d.pk:04d}{j:04d}",
                )
            )
        named = {u.role: u for u in User.objects.filter(department=d, username__in=[a[0] for a in ROLE_ACCOUNTS])}
        clerk_a = named.get(Role.CLERK, staff[0])
        reviewer_a = named.get(Role.REVIEWER, staff[2])
        head = named.get(Role.DEPT_HEAD, staff[3])
        for post_name, role, a, b in [
            ("窗口受理岗", Role.CLERK, clerk_a, staff[1]),
            ("业务审核岗", Role.REVIEWER, reviewer_a, staff[3] if reviewer_a != staff[3] else staff[2]),
            ("审批负责人岗", Role.DEPT_HEAD, head, reviewer_a if head != reviewer_a else staff[2]),
        ]:
            if not Post.objects.filter(department=d, name=post_name).exists():
                Post.objects.create(
                    tenant_id=d.tenant_id, department=d, name=post_name, role=role, holder_a=a, holder_b=b
                )
    _user(
        "zhang",
        display_name="张丽",
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.PERSON,
        phone="13900000001",
        id_number=_id_number(1),
        email="zhang@demo.invalid",
    )
    _user(
        "company",
        display_name="青溪云帆餐饮管理有限公司",
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.COMPANY,
        company_name="青溪云帆餐饮管理有限公司",
        company_credit_code=_credit_code("339102", 900),
        phone="13900000002",
    )
    stdout.write(
        f"orgs: {Region.objects.count()} regions, {Department.objects.count()} departments, "
        f"{User.objects.exclude(role=Role.APPLICANT).count()} staff, {Post.objects.count()} posts\n"
    )
    stdout.write(f"demo accounts (password {DEMO_PASSWORD}):\n")
    for username, display, role, _d, _r in ROLE_ACCOUNTS:
        stdout.write(f"  {Role(role).label:<10} {username:<15} {display}\n")
    stdout.write(
        "  申请人（个人）    zhang           张丽\n  申请人（企业）    company         青溪云帆餐饮管理有限公司\n"
    )
