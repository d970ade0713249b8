"""Scoped reads for ratings, the rater-protection rule, RAT-4 metrics and survey results."""

from __future__ import annotations

__all__ = [
    "RatingMetrics",
    "rater_shown",
    "rating_metrics",
    "rating_office_users",
    "ratings_for",
    "rectification_of",
    "survey_results",
    "survey_scores",
    "surveys_for",
]

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import User
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import region_supervisors
from xiaoneng.ratings.choices import BAD_LEVELS, SATISFIED_LEVELS, Handling, QuestionKind
from xiaoneng.ratings.models import Answer, Rating, Survey


def ratings_for(user: Any) -> QuerySet[Rating]:
    return restrict(Rating.objects.select_related("department", "case", "service"), user)


def rater_shown(user: Any, rating: Rating) -> dict[str, str]:
    """RAT-1: the rater is protected — department staff never learn who rated."""
    if user is None or getattr(user, "role", None) in DEPARTMENT_ROLES or not getattr(user, "is_authenticated", False):
        return {"name": "", "phone": "", "hidden": "1"}
    name = str(rating.rater) if rating.rater_id else ""
    return {"name": name, "phone": rating.rater_phone, "hidden": ""}


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


@dataclass
class RatingMetrics:
    label: str
    total: int
    active: int
    satisfied: int
    bad: int
    rectified: int
    called_back: int

    @property
    def active_rate(self) -> float | None:
        return _pct(self.active, self.total)

    @property
    def satisfaction_rate(self) -> float | None:
        return _pct(self.satisfied, self.total)

    @property
    def rectification_rate(self) -> float | None:
        return _pct(self.rectified, self.bad)

    @property
    def callback_rate(self) -> float | None:
        return _pct(self.called_back, self.bad)


def rating_metrics(qs: QuerySet[Rating], *, start: date, end: date) -> list[RatingMetrics]:
    """RAT-4 per department for ratings made in [start, end]: active rating rate, satisfaction rate,
    bad-review rectification rate and callback rate. Removed (appeal upheld) ratings do not count."""
    tz = ZoneInfo(settings.TIME_ZONE)
    lo, hi = datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)
    rows = (
        qs.filter(rated_at__gte=lo, rated_at__lte=hi, removed=False)
        .order_by()
        .values("department_id", "department__name")
        .annotate(
            total=Count("id"),
            active=Count("id", filter=Q(defaulted=False)),
            satisfied=Count("id", filter=Q(level__in=list(SATISFIED_LEVELS))),
            bad=Count("id", filter=Q(level__in=list(BAD_LEVELS))),
            rectified=Count("id", filter=Q(level__in=list(BAD_LEVELS), rectified=True)),
            called_back=Count("id", filter=Q(level__in=list(BAD_LEVELS), handling=Handling.CALLED_BACK)),
        )
    )
    out = [
        RatingMetrics(
            label=r["department__name"],
            total=r["total"],
            active=r["active"],
            satisfied=r["satisfied"],
            bad=r["bad"],
            rectified=r["rectified"],
            called_back=r["called_back"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda m: (-m.total, m.label))


def surveys_for(user: Any) -> QuerySet[Survey]:
    return restrict(Survey.objects.all(), user)


def survey_results(survey: Survey) -> dict[str, Any]:
    """Per question: score distribution and mean, choice counts, or the text answers; by group."""
    out: list[dict[str, Any]] = []
    by_group = list(survey.responses.order_by().values("group").annotate(n=Count("id")).order_by("group"))
    for q in survey.questions.all():
        item: dict[str, Any] = {"id": q.pk, "text": q.text, "kind": q.kind}
        answers = q.answers.all()
        if q.kind == QuestionKind.RATING:
            dist = {str(k): 0 for k in range(1, 6)}
            for row in answers.order_by().values("score").annotate(n=Count("id")):
                dist[str(row["score"])] = row["n"]
            item["labels"] = list(dist)
            item["values"] = list(dist.values())
            item["mean"] = answers.aggregate(m=Avg("score"))["m"]
            item["group_means"] = [
                {"group": r["response__group"], "mean": round(r["m"], 2)}
                for r in answers.order_by().values("response__group").annotate(m=Avg("score"))
            ]
        elif q.kind == QuestionKind.CHOICE:
            counts = {o: 0 for o in q.options}
            for crow in answers.order_by().values("choice").annotate(n=Count("id")):
                counts[crow["choice"]] = crow["n"]
            item["labels"] = list(counts)
            item["values"] = list(counts.values())
        else:
            item["texts"] = list(answers.exclude(text="").values_list("text", flat=True)[:200])
        item["n"] = answers.count()
        out.append(item)
    return {"questions": out, "groups": by_group, "responses": survey.responses.count()}


def survey_scores(survey: Survey) -> dict[str, Any]:
    """The survey's score for the evaluation (绩效考评): the mean of every rating answer (1–5) mapped to
    0–100 (1 → 0, 5 → 100), overall and per respondent group, with the number of answers behind each."""
    rated = Answer.objects.filter(response__survey=survey, question__kind=QuestionKind.RATING, score__isnull=False)

    def scaled(m: float | None) -> float | None:
        return round((m - 1) * 25, 1) if m is not None else None

    overall = rated.aggregate(m=Avg("score"), n=Count("id"))
    groups = rated.order_by().values("response__group").annotate(m=Avg("score"), n=Count("id"))
    return {
        "score": scaled(overall["m"]),
        "answers": overall["n"],
        "groups": {g["response__group"]: {"score": scaled(g["m"]), "answers": g["n"]} for g in groups},
    }


def rating_office_users(rating: Rating) -> list[User]:
    """Who is told of a bad review or an appeal: the supervisors of the rated department's region."""
    return list(region_supervisors(rating.department.region.path))


def rectification_of(rating: Rating) -> Any:
    """The Rectification a verified bad review opened (RAT-3), or None."""
    ct = ContentType.objects.get_for_model(Rating)
    return Rectification.objects.filter(source_type=ct, source_id=str(rating.pk)).select_related("clock").first()
