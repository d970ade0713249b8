"""The flowchart (流程图) of an item version as a hand-built SVG string (CAT-5): stages from left
to right, parallel steps stacked in their stage, each step with the post that acts, its limit, the
supervision point and the applicant's rights; start and end nodes; a footer with the committed and
statutory limits and the complaint channel. No JavaScript; every text is XML-escaped."""

from __future__ import annotations

__all__ = ["flowchart_svg"]

import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from xiaoneng.orgs.choices import Role

from .choices import JoinPolicy, LimitUnit, OnTimeout
from .models import ItemVersion, Stage, Step
from .selectors import stages_of

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
# Sized so that three stages fit the public page's content column (about 1,150 px) without
# scaling; wider charts scroll inside their frame rather than shrink below a legible size.
BOX_W = 212
COL_W = 256
PAD = 24
LINE = 18
FONT_SIZE = 13
NODE_W = 104
NODE_H = 56
NODE_GAP = 44  # between a start/end node and the nearest stage column


def _width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.58 for ch in text)


# Line-breaking rules for Chinese (禁则): no line starts with closing punctuation, none ends with an
# opening bracket.
NO_LINE_START = frozenset("、，。．：；！？）】」』〕〉》”’…%,.:;!?)]}")
NO_LINE_END = frozenset("（【「『〔〈《“‘([{")


def _wrap(text: str, max_width: float, size: float = FONT_SIZE) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        start, current = len(lines), ""
        for ch in paragraph:
            if _width(current + ch, size) > max_width and current:
                # break before `ch`, or earlier if that would start a line with closing punctuation
                # or end one with an opening bracket
                k, joined = len(current), current + ch
                while k > 0 and (joined[k] in NO_LINE_START or joined[k - 1] in NO_LINE_END):
                    k -= 1
                k = k or len(current)
                lines.append(current[:k])
                current = joined[k:]
            else:
                current += ch
        if len(current) == 1 and len(lines) > start and len(lines[-1]) > 2:
            # no orphan: a lone last character takes its neighbour along
            current = lines[-1][-1] + current
            lines[-1] = lines[-1][:-1]
        lines.append(current)
    return [line for line in lines if line] or [""]


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = FONT_SIZE,
    weight: str = "normal",
    anchor: str = "start",
    fill: str = "#1f2933",
) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'
    )


@dataclass
class _Box:
    step: Step
    lines: list[tuple[str, str]]  # (text, style)
    height: int


def _actor(step: Step) -> str:
    if step.post_id is not None and step.post is not None:
        return step.post.name
    try:
        return str(Role(step.role).label)
    except ValueError:
        return step.role


def _box(step: Step, *, show_department: bool) -> _Box:
    inner = BOX_W - 20
    lines: list[tuple[str, str]] = [(line, "title") for line in _wrap(step.name, inner, 14)]
    lines += [(line, "") for line in _wrap(_("岗位：%(post)s") % {"post": _actor(step)}, inner)]
    if show_department and step.department is not None:
        dept = step.department.short_name or step.department.name
        lines += [(line, "") for line in _wrap(_("部门：%(dept)s") % {"dept": dept}, inner)]
    limit = _("时限：%(n)d 个工作日") % {"n": step.limit_days} if step.limit_days else _("时限：当场办结")
    lines.append((limit, "limit"))
    if step.on_timeout == OnTimeout.DEEMED_CONSENT:
        lines.append((_("超时视为同意（CAS-7）"), "warn"))
    elif step.on_timeout == OnTimeout.ESCALATE:
        lines.append((_("超时逐级督办"), "muted"))
    if step.supervision_point:
        lines += [(line, "") for line in _wrap(_("监察点：%(p)s") % {"p": step.supervision_point}, inner)]
    if step.applicant_rights:
        lines += [(line, "rights") for line in _wrap(_("申请人权利：%(r)s") % {"r": step.applicant_rights}, inner)]
    return _Box(step=step, lines=lines, height=16 + LINE * len(lines))


_STYLE = {
    "title": ("14", "bold", "#0b3d91"),
    "limit": ("13", "bold", "#b42318"),
    "warn": ("12", "normal", "#b54708"),
    "muted": ("12", "normal", "#52606d"),
    "rights": ("13", "normal", "#05603a"),
    "": ("13", "normal", "#1f2933"),
}


def _unit(unit: str) -> str:
    return str(LimitUnit(unit).label) if unit in LimitUnit.values else unit


def flowchart_svg(version: ItemVersion, stages: list[Stage] | None = None) -> str:
    """The SVG document (UTF-8 text) of `version`'s process."""
    stages = stages if stages is not None else stages_of(version)
    columns: list[tuple[Stage, list[_Box]]] = []
    for stage in stages:
        steps = list(stage.steps.all())
        columns.append((stage, [_box(s, show_department=len(steps) > 1 or s.department_id is not None) for s in steps]))
    gap = 16
    col_heights = [sum(b.height for b in boxes) + gap * max(len(boxes) - 1, 0) for _s, boxes in columns]
    body_h = max([NODE_H, *col_heights])
    # columns are COL_W apart; the last one needs only its box
    width = PAD * 2 + NODE_W * 2 + NODE_GAP * 2 + (COL_W * len(columns) - (COL_W - BOX_W) if columns else 0)
    # Every text that could be long wraps within its box or column: the title, each stage's header
    # and join policy, each step's lines (_box) and the footer. Heights follow the wrapped lines.
    title_lines = _wrap(_("%(name)s 办理流程图") % {"name": version.name}, width - PAD * 2, 20)
    headers = [_stage_header(i, stage, len(boxes)) for i, (stage, boxes) in enumerate(columns)]
    header_h = max([0, *(18 * len(h) + 16 * len(p) for h, p in headers)])
    header_y = PAD + 28 * len(title_lines) + 12
    top = header_y + header_h + 14
    footer_wrapped: list[str] = []
    for line in _footer(version):
        footer_wrapped += _wrap(line, width - PAD * 2 - 20)
    height = top + body_h + 40 + 20 + LINE * len(footer_wrapped) + PAD
    mid = top + body_h / 2
    parts: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f"aria-label={quoteattr(version.name + ' ' + _('办理流程图'))} "
        f"font-family={quoteattr(FONT)}>",
        f"<title>{escape(version.name)} · {escape(_('办理流程图'))}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#3e4c59"/></marker></defs>',
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for j, line in enumerate(title_lines):
        parts.append(_text(PAD, PAD + 20 + 28 * j, line, size=20, weight="bold", fill="#0b3d91"))
    # start node
    x: float = PAD
    parts.append(_node(x, mid, _("开始"), _("提交申请")))
    prev_x: float = x + NODE_W
    prev_targets = [mid]
    x += NODE_W + NODE_GAP - (COL_W - BOX_W) / 2
    for i, (_stage, boxes) in enumerate(columns):
        col_x = x + (COL_W - BOX_W) / 2
        header, policy = headers[i]
        y_text = header_y + 14
        for line in header:
            parts.append(_text(x + COL_W / 2, y_text, line, size=14, weight="bold", anchor="middle"))
            y_text += 18
        for line in policy:
            parts.append(_text(x + COL_W / 2, y_text - 2, line, size=12, anchor="middle", fill="#b54708"))
            y_text += 16
        y = mid - col_heights[i] / 2
        centers = []
        for box in boxes:
            parts.append(_step_box(col_x, y, box))
            centers.append(y + box.height / 2)
            y += box.height + gap
        parts += _connect(prev_x, prev_targets, col_x, centers)
        prev_x = col_x + BOX_W
        prev_targets = centers
        x += COL_W
    end_x = width - PAD - NODE_W
    parts += _connect(prev_x, prev_targets, end_x, [mid])
    parts.append(_node(end_x, mid, _("办结"), _("送达结果")))
    # footer
    fy = top + body_h + 40
    parts.append(f'<line x1="{PAD}" y1="{fy:.0f}" x2="{width - PAD:.0f}" y2="{fy:.0f}" stroke="#cbd2d9"/>')
    for j, line in enumerate(footer_wrapped):
        parts.append(_text(PAD, fy + 22 + LINE * j, line, size=13, weight="bold" if j == 0 else "normal"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _stage_header(i: int, stage: Stage, steps: int) -> tuple[list[str], list[str]]:
    """A stage's title and, for parallel steps, its join policy, each wrapped to the column."""
    inner = COL_W - 16
    header = _wrap(_("阶段 %(n)d：%(name)s") % {"n": i + 1, "name": stage.name}, inner, 14)
    if steps <= 1:
        return header, []
    policy = str(JoinPolicy(stage.join_policy).label)
    if stage.join_policy == JoinPolicy.QUORUM and stage.quorum:
        policy = _("%(n)d 个部门同意即可") % {"n": stage.quorum}
    return header, _wrap(_("并联审批 · %(p)s") % {"p": policy}, inner, 12)


def _footer(version: ItemVersion) -> list[str]:
    lines = []
    committed = (
        _("承诺时限：%(n)d 个%(unit)s") % {"n": version.committed_limit, "unit": _unit(version.committed_unit)}
        if version.committed_limit
        else _("承诺时限：当场办结")
        if version.committed_limit == 0
        else _("承诺时限：无")
    )
    statutory = (
        _("法定时限：%(n)d 个%(unit)s") % {"n": version.statutory_limit, "unit": _unit(version.statutory_unit)}
        if version.statutory_limit
        else _("法定时限：无")
    )
    speed = version.speedup_percent
    summary = f"{committed}　{statutory}"
    if speed is not None:
        summary += "　" + _("提速 %(p)d%%") % {"p": speed}
    lines.append(summary)
    specials = list(version.special_procedures.all())
    if specials:
        lines.append(
            _("特别程序（不计入办理时限）：%(list)s")
            % {
                "list": "；".join(
                    _("%(kind)s 最长 %(n)d 个工作日") % {"kind": s.get_kind_display(), "n": s.max_days}
                    for s in specials
                )
            }
        )
    if version.enquiry_channel:
        lines.append(_("咨询方式：%(c)s") % {"c": version.enquiry_channel})
    lines.append(_("投诉渠道：%(c)s") % {"c": version.complaint_channel or _("12345 政务服务便民热线")})
    return lines


def _node(x: float, cy: float, title: str, subtitle: str) -> str:
    y = cy - NODE_H / 2
    return (
        f'<g><rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="28" '
        'fill="#e6f0ff" stroke="#0b3d91" stroke-width="1.5"/>'
        + _text(x + NODE_W / 2, cy - 4, title, size=15, weight="bold", anchor="middle", fill="#0b3d91")
        + _text(x + NODE_W / 2, cy + 16, subtitle, size=12, anchor="middle", fill="#3e4c59")
        + "</g>"
    )


def _step_box(x: float, y: float, box: _Box) -> str:
    deemed = box.step.on_timeout == OnTimeout.DEEMED_CONSENT
    out = [
        f'<g class="step"><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{box.height}" rx="6" '
        f'fill="#ffffff" stroke="{"#b54708" if deemed else "#3e4c59"}" stroke-width="1.5"/>'
    ]
    for k, (line, style) in enumerate(box.lines):
        size, weight, fill = _STYLE[style]
        out.append(_text(x + 10, y + 8 + LINE * (k + 1) - 4, line, size=int(size), weight=weight, fill=fill))
    out.append("</g>")
    return "".join(out)


def _connect(x1: float, from_ys: list[float], x2: float, to_ys: list[float]) -> list[str]:
    """Arrows from the previous column to the next one; with several on either side, through a
    vertical bus half-way between (fork and join of parallel steps)."""
    if len(from_ys) == 1 and len(to_ys) == 1 and from_ys[0] == to_ys[0]:
        return [_line(x1, from_ys[0], x2, to_ys[0], arrow=True)]
    bus = (x1 + x2) / 2
    ys = from_ys + to_ys
    out = [_line(bus, min(ys), bus, max(ys))]
    out += [_line(x1, y, bus, y) for y in from_ys]
    out += [_line(bus, y, x2, y, arrow=True) for y in to_ys]
    return out


def _line(x1: float, y1: float, x2: float, y2: float, *, arrow: bool = False) -> str:
    marker = ' marker-end="url(#arrow)"' if arrow else ""
    return (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#3e4c59" stroke-width="1.5"{marker}/>'
    )
