"""Organisations API: the signed-in user, the public regions and departments, and A/B post
management for department heads and administrators (CAS-9)."""

from __future__ import annotations

__all__ = ["router"]

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.scoping import region_subtree_q
from xiaoneng.orgs.models import Department, Post, Region, User
from xiaoneng.orgs.selectors import posts_manageable
from xiaoneng.orgs.services import post_mark_absent, post_mark_present

router = Router(tags=["orgs"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    department: str | None
    region: str | None
    masked_id_number: str
    masked_phone: str


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class OrgDepartmentOut(Schema):
    id: int
    name: str
    credit_code: str
    region_id: int
    phone: str
    address: str


class HolderOut(Schema):
    id: int
    name: str


class PostOut(Schema):
    id: int
    name: str
    role: str
    department_id: int
    department: str
    holder_a: HolderOut | None
    holder_b: HolderOut | None
    a_absent: bool
    a_absent_reason: str
    assignee: HolderOut | None


class AbsenceIn(Schema):
    # Checked by the service (CAS-9), which answers in Chinese: required, at most 100 characters.
    reason: str = Field(..., description="Why the A holder is absent")


class ErrorOut(Schema):
    detail: dict[str, list[str]] | str


def _holder(user: User | None) -> HolderOut | None:
    return HolderOut(id=user.pk, name=str(user)) if user is not None else None


def _post_out(post: Post) -> PostOut:
    return PostOut(
        id=post.pk,
        name=post.name,
        role=post.role,
        department_id=post.department_id,
        department=str(post.department),
        holder_a=_holder(post.holder_a),
        holder_b=_holder(post.holder_b),
        a_absent=post.a_absent,
        a_absent_reason=post.a_absent_reason,
        assignee=_holder(post.assignee),
    )


@router.get("/me", response=MeOut, summary="The signed-in user (identity number masked)")
def me(request: AuthedRequest) -> MeOut:
    u = request.user
    return MeOut(
        id=u.id,
        username=u.username,
        display_name=str(u),
        role=u.role,
        role_label=str(u.get_role_display()),
        department=str(u.department) if u.department_id else None,
        region=str(u.region) if u.region_id else None,
        masked_id_number=u.masked_id_number,
        masked_phone=u.masked_phone,
    )


@router.get("/regions", response=list[RegionOut], auth=None, summary="The public region tree")
def regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.all())


@router.get(
    "/departments",
    response=list[OrgDepartmentOut],
    auth=None,
    summary="Departments, optionally in one region's subtree",
)
def departments(request: HttpRequest, region: str | None = None) -> list[Department]:
    qs = Department.objects.select_related("region")
    if region:
        r = Region.objects.filter(code=region).first()
        qs = qs.filter(region_subtree_q("region__path", r.path)) if r else qs.none()
    return list(qs)


@router.get(
    "/posts",
    response={200: list[PostOut], 403: ErrorOut},
    summary="CAS-9: the posts and A/B holders the user manages (department head: own department; admin: tenant)",
)
def posts(request: AuthedRequest) -> list[PostOut]:
    return [_post_out(p) for p in posts_manageable(request.user)]


@router.post(
    "/posts/{post_id}/absent",
    response={200: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="CAS-9: mark the A holder absent; the B holder receives the post's work",
)
def post_absent(request: AuthedRequest, post_id: int, payload: AbsenceIn) -> PostOut:
    post = get_object_or_404(posts_manageable(request.user), pk=post_id)
    post_mark_absent(post=post, actor=request.user, reason=payload.reason)
    return _post_out(get_object_or_404(posts_manageable(request.user), pk=post_id))


@router.post(
    "/posts/{post_id}/present",
    response={200: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="CAS-9: the A holder is back at work",
)
def post_present(request: AuthedRequest, post_id: int) -> PostOut:
    post = get_object_or_404(posts_manageable(request.user), pk=post_id)
    post_mark_present(post=post, actor=request.user)
    return _post_out(get_object_or_404(posts_manageable(request.user), pk=post_id))
