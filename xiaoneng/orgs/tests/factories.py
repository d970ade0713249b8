"""factory-boy factories for organisations and people, shared by every app's tests."""

from __future__ import annotations

import factory

from xiaoneng.orgs.choices import RegionLevel, Role
from xiaoneng.orgs.models import Department, Post, Region, User
from xiaoneng.orgs.validators import credit_code_check_char


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"{331000 + n:06d}")
    name = factory.Sequence(lambda n: f"测试市{n}")
    level = RegionLevel.CITY
    parent = None


def _credit(n: int) -> str:
    first17 = f"11339100{n:09d}"
    return first17 + credit_code_check_char(first17)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    region = factory.SubFactory(RegionFactory)
    tenant = factory.LazyAttribute(lambda o: o.region.tenant)
    name = factory.Sequence(lambda n: f"测试局{n}")
    credit_code = factory.Sequence(_credit)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()  # type: ignore[attr-defined]


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    department = factory.SubFactory(DepartmentFactory)
    tenant = factory.LazyAttribute(lambda o: o.department.tenant)
    name = factory.Sequence(lambda n: f"岗位{n}")
