"""What catalog's clocks are about, for supervision's late lists (core.links registry).

Installed by `CatalogConfig.ready()` on import: a changed item's republication clock (事项目录).
"""

from __future__ import annotations

__all__: list[str] = []

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import clock_group_set

clock_group_set("catalog", _("事项目录"), "catalog", order=90)
