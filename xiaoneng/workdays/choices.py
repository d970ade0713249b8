from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP = "makeup", _("调休上班")


class YearStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    PROVISIONAL = "provisional", _("暂定")


class YearSource(models.TextChoices):
    SEED = "seed", _("chinese-calendar 数据包")
    NOTICE = "notice", _("国务院办公厅通知")


class ClockUnit(models.TextChoices):
    WORKING_DAYS = "wd", _("工作日")
    NATURAL_DAYS = "nd", _("自然日")
    HOURS = "h", _("小时")


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("暂停")
    STOPPED = "stopped", _("已结束")
    CANCELLED = "cancelled", _("已撤销")


OPEN_CLOCK_STATUSES = (ClockStatus.RUNNING, ClockStatus.PAUSED)


class PauseReason(models.TextChoices):
    """CAS-4 / DIS-1: the only reasons the law allows a clock to stop."""

    HEARING = "hearing", _("听证")
    BIDDING = "bidding", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SUPPLEMENT = "supplement", _("等待申请人补正")
    CONSULTATION = "consultation", _("征求第三方或其他机关意见")
    OTHER_LAW = "other_law", _("法律、法规规定的其他情形")


PAUSE_LEGAL_BASIS = {
    PauseReason.HEARING: _("《行政许可法》第四十五条"),
    PauseReason.BIDDING: _("《行政许可法》第四十五条"),
    PauseReason.AUCTION: _("《行政许可法》第四十五条"),
    PauseReason.INSPECTION: _("《行政许可法》第四十五条"),
    PauseReason.TESTING: _("《行政许可法》第四十五条"),
    PauseReason.QUARANTINE: _("《行政许可法》第四十五条"),
    PauseReason.APPRAISAL: _("《行政许可法》第四十五条"),
    PauseReason.EXPERT_REVIEW: _("《行政许可法》第四十五条"),
    PauseReason.SUPPLEMENT: _("《行政许可法》第三十二条；补正期间不计入办理时限"),
    PauseReason.CONSULTATION: _("《政府信息公开条例》第三十二条、第三十四条"),
    PauseReason.OTHER_LAW: _("法律、法规另有规定"),
}


class ExtensionKind(models.TextChoices):
    """CAS-3: +10 working days with the agency head's approval; +15 for joint handling with the
    approval of the same-level government; DIS-1: +20 for disclosure; CMP-2: up to +10."""

    AGENCY_HEAD = "agency_head", _("本行政机关负责人批准")
    GOVERNMENT = "government", _("本级人民政府负责人批准")
    OTHER = "other", _("其他经批准的延长")
