"""Fixtures for the case tests: published items (a simple one, a four-department parallel one, an
on-the-spot one) and helpers to walk a case through intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiaoneng.cases.actions.intake import case_accept, case_submit
from xiaoneng.cases.models import Case
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Post, User
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


FORM = {"applicant_name": "张丽", "phone": "13900000011", "address": "青溪市城东街道 1 号", "description": "开办餐饮店"}


@dataclass
class CaseWorld:
    simple: Item
    parallel: Item
    on_the_spot: Item
    post: Post
    holder_a: User
    holder_b: User
    co_departments: list[Department]
    co_reviewers: dict[str, User]


def _publish(world: Any, **content: Any) -> Item:
    item = PublishedItemFactory(
        department=world.dept, declarer=world.user("dept_head"), legal=world.user("legal"), **content
    )
    return cast(Item, item)


@pytest.fixture
def cw(world) -> CaseWorld:
    holder_a = cast(User, UserFactory(username="holder_a", role=Role.REVIEWER, department=world.dept))
    holder_b = cast(User, UserFactory(username="holder_b", role=Role.REVIEWER, department=world.dept))
    post = Post.objects.create(
        tenant=world.dept.tenant,
        department=world.dept,
        name="审查岗",
        role=Role.REVIEWER,
        holder_a=holder_a,
        holder_b=holder_b,
    )
    names = ["自然资源局", "消防支队", "人防办"]
    co = [world.other_dept] + [DepartmentFactory(region=world.city, name=n) for n in names]
    reviewers: dict[str, User] = {}
    for d in co:
        reviewers[d.name] = cast(User, UserFactory(username=f"rev_{d.pk}", role=Role.REVIEWER, department=d))
    simple = _publish(
        world,
        name="食品经营许可",
        fees=[{"name": "工本费", "lower": "10.00", "upper": "20.00", "basis": "青价费〔2020〕1号"}],
        special_procedures=[{"kind": "expert_review", "max_days": 10, "note": "专家评审"}],
        stages=[
            {"name": "审查", "join_policy": "all", "steps": [{"name": "审查", "post": post.pk, "limit_days": 3}]},
            {"name": "决定", "join_policy": "all", "steps": [{"name": "决定", "role": "dept_head", "limit_days": 2}]},
        ],
    )
    parallel = _publish(
        world,
        name="建筑工程施工许可",
        statutory_limit=45,
        committed_limit=20,
        stages=[
            {"name": "初审", "join_policy": "all", "steps": [{"name": "初审", "role": "reviewer", "limit_days": 2}]},
            {
                "name": "联合审查",
                "join_policy": "all",
                "steps": [
                    {
                        "name": f"{d.name}会签",
                        "department": d.pk,
                        "role": "reviewer",
                        "limit_days": 5,
                        "on_timeout": "deemed_consent",
                    }
                    for d in co
                ],
            },
        ],
    )
    on_the_spot = _publish(
        world,
        name="个体工商户名称登记",
        case_kind="on_the_spot",
        statutory_limit=None,
        committed_limit=None,
        stages=[
            {
                "name": "窗口办理",
                "join_policy": "all",
                "steps": [{"name": "当场办理", "role": "clerk", "limit_days": 1}],
            }
        ],
    )
    return CaseWorld(simple, parallel, on_the_spot, post, holder_a, holder_b, co, reviewers)


def published_copies(item: Item, n: int) -> list[Item]:
    """n more published items, copies of `item` named 第000号许可 … with their own codes (cheap: a
    copy of the published version row, no lifecycle; enough for the lists that read that row)."""
    assert item.published is not None
    version = item.published
    out = []
    for i in range(n):
        clone = Item.objects.get(pk=item.pk)
        clone.pk = None
        # ends in 9: the codes the catalog factories make end in 001, so a copy never takes the code of
        # another item of the department (a copy once matched the item made 100th in the process)
        clone.implementing_code = f"{item.implementing_code[:-5]}{i:04d}9"
        clone.base_code = f"X{i:011d}"
        clone.published = None
        clone.head = None
        clone.save()
        v = type(version).objects.get(pk=version.pk)
        v.pk = None
        v.item = clone
        v.name = f"第{i:03d}号许可"
        v.status = VersionStatus.PUBLISHED
        v.save()
        clone.published = clone.head = v
        clone.save(update_fields=["published", "head"])
        out.append(clone)
    return out


def submit(world: Any, item: Item, **kw: Any) -> tuple[Case, str]:
    files = kw.pop("files", [(None, pdf())])
    return case_submit(actor=world.user("applicant"), item=item, form_data={**FORM, **kw}, files=files)


def accepted(world: Any, item: Item) -> Case:
    case, _code = submit(world, item)
    return case_accept(case=case, actor=world.user("clerk"))


def later(days: int) -> datetime:

    return timezone.now() + timedelta(days=days)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
