"""Base models, the append-only Event trail (全程留痕), tracking numbers and the in-app inbox."""

from __future__ import annotations

__all__ = [
    "Event",
    "EventHead",
    "EventQuerySet",
    "Notification",
    "TenantModel",
    "TimeStampedModel",
    "TrackingSequence",
    "TrailAnchor",
]

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    """A row owned by a jurisdiction. `tenant` is the top-level region (the city) that owns it:
    the key a later Citus deployment shards on, present on every jurisdiction-owned row."""

    tenant = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区"), db_index=True
    )

    class Meta:
        abstract = True


class EventQuerySet(models.QuerySet["Event"]):
    """Events are append-only: bulk updates and deletes are refused at the ORM level."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied(_("留痕记录只能追加，不能修改。"))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(_("留痕记录只能追加，不能删除。"))

    def for_subject(self, subject: models.Model) -> EventQuerySet:
        ct = ContentType.objects.get_for_model(subject)
        return self.filter(subject_type=ct, subject_id=str(subject.pk))


class Event(models.Model):
    """One state change of one subject: who, when, what, before/after and why.

    Rows are hash-chained per subject (`seq`, `prev_hash`, `hash`): changing or removing a row
    breaks the chain, which `manage.py verify_trail` reports; a `TrailAnchor` seals the rows
    daily, so that a deleted tail or a whole chain rewritten is reported too. Only `core.trail`
    creates events; nothing updates or deletes them.

    On PostgreSQL the table is partitioned by month of `at` (migration 0006, core.partitions): the
    database's primary key is (id, at) and `core_event_unique_seq` is kept by a unique index per month
    plus a trigger across months; the model state below is what Django needs and is unchanged.
    """

    # No single-column indexes on `tenant` and `subject_type`: `core_event_tenant_at` and
    # `core_event_unique_seq` start with them; nor a pattern-ops twin of `action` (no LIKE on it).
    # Every appended event writes every index (docs/performance.md, migration 0003).
    tenant = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属辖区"),
        db_index=False,
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"), db_index=False)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    seq = models.PositiveIntegerField(_("序号"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("动作"), max_length=64)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("留痕记录")
        verbose_name_plural = _("留痕记录")
        ordering = ["subject_type_id", "subject_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "seq"],
                name="core_event_unique_seq",
                violation_error_message=_("同一对象的留痕序号不能重复。"),
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "at"], name="core_event_tenant_at"),
            models.Index(fields=["action"], name="core_event_action"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type_id}:{self.subject_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(_("留痕记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(_("留痕记录只能追加，不能删除。"))


class EventHead(models.Model):
    """The newest link of each subject's chain, on PostgreSQL's partitioned trail (core.partitions).

    Kept by the database, not by Python: a trigger on every insert into `core_event` moves the head
    and refuses an event that does not continue its subject's chain (seq one past the head, prev_hash
    the head's hash). Appends read the head (one key look-up) instead of the newest event, which on a
    partitioned table is a probe of every month. Empty on SQLite, whose one table answers directly."""

    pk = models.CompositePrimaryKey("subject_type", "subject_id")
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("对象类型")
    )
    subject_id = models.CharField(_("对象编号"), max_length=64)
    seq = models.PositiveIntegerField(_("序号"))
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("留痕链头")
        verbose_name_plural = _("留痕链头")

    def __str__(self) -> str:
        return f"{self.subject_type_id}:{self.subject_id}#{self.seq}"


class TrailAnchor(models.Model):
    """A daily seal over the Event trail (core.trail.trail_anchor_record): every event with
    `first_event_id` < id <= `last_event_id` (all committed when it was taken), digested in id
    order from the previous anchor's `digest`, and a MAC keyed by XIAONENG_TRAIL_KEY over the
    whole row, so that whoever can write the database but not read the key cannot recompute it.
    Append-only like the events."""

    day = models.DateField(_("日期"), unique=True)
    first_event_id = models.BigIntegerField(_("起始记录号（不含）"))
    last_event_id = models.BigIntegerField(_("截止记录号"))
    events = models.PositiveBigIntegerField(_("本段记录数"))
    total_events = models.PositiveBigIntegerField(_("累计记录数"))
    digest = models.CharField(_("摘要"), max_length=64)
    key_id = models.CharField(_("密钥标识"), max_length=16)
    mac = models.CharField(_("校验码"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("留痕锚点")
        verbose_name_plural = _("留痕锚点")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.first_event_id + 1}–#{self.last_event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(_("留痕锚点只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(_("留痕锚点只能追加，不能删除。"))


class TrackingSequence(models.Model):
    """The last number issued for one (tenant, prefix, day): tracking numbers are unique per jurisdiction."""

    tenant = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["tenant_id", "prefix", "day"]
        constraints = [models.UniqueConstraint(fields=["tenant", "prefix", "day"], name="core_trackingsequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}:{self.last}"


class Notification(TimeStampedModel):
    """A message in one user's in-app inbox (站内信)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notif_recipient_read")]

    def __str__(self) -> str:
        return self.title
