"""The flowchart (流程图) of an item version as a hand-built SVG string (CAT-5): stages from left
to right, parallel steps stacked in their stage, each step with the post that acts, its limit, the
supervision point and the applicant's rights; start and end nodes; a footer with the committed and
statutory limits and the complaint channel. No JavaScript; every text is XML-escaped."""

from __future__ import annotations

__all__ = ["flowchart_svg", "text_width"]

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import JoinPolicy, LimitUnit, OnTimeout
from xiaoneng.catalog.models import ItemVersion, Stage, Step
from xiaoneng.catalog.selectors import stages_of
from xiaoneng.orgs.choices import Role

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
# Sized so that three stages fit the public page's content column (about 1,150 px) without
# scaling; wider charts scroll inside their frame rather than shrink below a legible size.
BOX_W = 212
COL_W = 256
PAD = 24
LINE = 18
FONT_SIZE = 13
NODE_W = 116  # "Completion" in bold fits on one line
NODE_H = 56
NODE_GAP = 44  # between a start/end node and the nearest stage column
BOX_PAD = 10  # text inset in a step box, each side
NODE_PAD = 8  # text inset in a start/end node, each side


# Advance widths (1/1000 em) of the printable ASCII characters, U+0020 to U+007E, in Noto Sans CJK
# SC Regular and Bold, the first font of FONT (measured from the font files). Han characters and
# full-width punctuation are one em; any other character is counted as one em too, to be safe.
_ASCII_REGULAR = (
    "224 323 474 555 555 921 680 278 338 338 467 555 278 347 278 392 555 555 555 555 555 555 555 555 555 555 "
    "278 278 555 555 555 474 946 608 657 638 688 589 552 689 728 293 535 646 543 812 723 742 633 742 635 596 "
    "599 721 575 878 573 531 603 338 392 338 555 559 606 563 618 510 620 554 325 564 607 275 275 552 284 926 "
    "610 606 620 620 388 468 377 607 521 802 498 521 475 338 270 338 555"
)
_ASCII_BOLD = (
    "227 370 574 590 590 963 740 325 378 378 507 590 325 370 325 387 590 590 590 590 590 590 590 590 590 590 "
    "325 325 590 590 590 514 1007 641 681 656 714 615 585 717 757 330 568 686 578 853 749 770 667 770 682 624 "
    "625 748 619 915 627 580 613 378 387 378 590 567 626 591 644 527 644 581 372 597 640 304 306 604 315 964 "
    "641 626 644 644 436 495 421 637 576 863 562 574 511 378 296 378 590"
)
_EM = {
    False: {chr(32 + i): int(w) / 1000 for i, w in enumerate(_ASCII_REGULAR.split())},
    True: {chr(32 + i): int(w) / 1000 for i, w in enumerate(_ASCII_BOLD.split())},
}
# Another font may stand in for Noto (a viewer without it): lines are filled to this share of the
# room only, so a somewhat wider font still fits.
FILL = 0.94


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The rendered width of `text` in pixels at `size`: the one measure the layout (and its test)
    uses for every line, Chinese or English."""
    em = _EM[bold]
    return sum(em.get(ch, 1.0) for ch in text) * size


def _width(text: str, size: float, bold: bool = False) -> float:
    return text_width(text, size, bold) / FILL


# Line-breaking rules for Chinese (禁则): no line starts with closing punctuation, none ends with an
# opening bracket.
NO_LINE_START = frozenset("、，。．：；！？）】」』〕〉》”’…%,.:;!?)]}")
NO_LINE_END = frozenset("（【「『〔〈《“‘([{")


def _tokens(paragraph: str) -> list[str]:
    """Units a line is not broken inside: a Latin word (with its trailing punctuation and spaces),
    or one character otherwise (Chinese breaks between any two characters)."""
    out: list[str] = []
    for ch in paragraph:
        prev = out[-1][-1] if out else ""
        latin_prev = prev.isascii() and prev != ""
        if latin_prev and ch.isascii() and not ch.isspace() and not prev.isspace():
            out[-1] += ch  # inside a Latin word or number
        elif ch == " " and latin_prev:
            out[-1] += ch  # spaces stay with the word before them
        else:
            out.append(ch)
    return out


def _cut(word: str, max_width: float, size: float, bold: bool) -> list[str]:
    """A word wider than a line, in pieces that fit."""
    pieces, current = [], ""
    for ch in word:
        if current and _width(current + ch, size, bold) > max_width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current]


def _wrap(text: str, max_width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """Lines of `text` no wider than `max_width`: English breaks between words, Chinese between
    characters, with the 禁则 above; a word longer than a line is cut."""
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        start, current = len(lines), ""
        for token in _tokens(paragraph):
            if _width((current + token).rstrip(), size, bold) <= max_width:
                current += token
                continue
            if not current.strip():
                # a single token wider than the line
                *full, current = _cut(current + token, max_width, size, bold)
                lines += full
                continue
            # break before `token`, or earlier if that would start a line with closing punctuation
            # or end one with an opening bracket (a Chinese line only)
            joined, k = current + token, len(current)
            while k > 0 and (joined[k] in NO_LINE_START or joined[k - 1] in NO_LINE_END):
                k -= 1
            k = k or len(current)
            lines.append(joined[:k].rstrip())
            current = joined[k:]
            if _width(current.rstrip(), size, bold) > max_width:
                *full, current = _cut(current, max_width, size, bold)
                lines += full
        if len(current) == 1 and len(lines) > start and len(lines[-1]) > 2 and not current.isascii():
            # no orphan: a lone last Chinese character takes its neighbour along
            lines[-1], current = lines[-1][:-1], lines[-1][-1] + current
        lines.append(current.rstrip())
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
    inner = BOX_W - 2 * BOX_PAD
    lines: list[tuple[str, str]] = [(line, "title") for line in _wrap(step.name, inner, 14, bold=True)]
    lines += [(line, "") for line in _wrap(_("岗位：%(post)s") % {"post": _actor(step)}, inner)]
    if show_department and step.department is not None:
        dept = step.department.short_name or step.department.name
        lines += [(line, "") for line in _wrap(_("部门：%(dept)s") % {"dept": dept}, inner)]
    limit = _("时限：%(n)d 个工作日") % {"n": step.limit_days} if step.limit_days else _("时限：当场办结")
    lines += [(line, "limit") for line in _wrap(limit, inner, 13, bold=True)]
    if step.on_timeout == OnTimeout.DEEMED_CONSENT:
        lines += [(line, "warn") for line in _wrap(_("超时视为同意"), inner, 12)]  # CAS-7
    elif step.on_timeout == OnTimeout.ESCALATE:
        lines += [(line, "muted") for line in _wrap(_("超时逐级督办"), inner, 12)]
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
    nodes = [(_("开始"), _("提交申请")), (_("办结"), _("送达结果"))]
    body_h = max([*(_node_lines(t, st)[2] for t, st in nodes), *col_heights])
    # columns are COL_W apart; the last one needs only its box
    width = PAD * 2 + NODE_W * 2 + NODE_GAP * 2 + (COL_W * len(columns) - (COL_W - BOX_W) if columns else 0)
    # Every text that could be long wraps within its box or column: the title, each stage's header
    # and join policy, each step's lines (_box) and the footer. Heights follow the wrapped lines.
    title_lines = _wrap(_("%(name)s 办理流程图") % {"name": version.name}, width - PAD * 2, 20, bold=True)
    headers = [_stage_header(i, stage, len(boxes)) for i, (stage, boxes) in enumerate(columns)]
    header_h = max([0, *(18 * len(h) + 16 * len(p) for h, p in headers)])
    header_y = PAD + 28 * len(title_lines) + 12
    top = header_y + header_h + 14
    footer_wrapped: list[str] = []
    for k, line in enumerate(_footer(version)):
        footer_wrapped += _wrap(line, width - PAD * 2 - 20, bold=k == 0)
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
    parts.append(_node(x, mid, *nodes[0]))
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
    parts.append(_node(end_x, mid, *nodes[1]))
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
    header = _wrap(_("阶段 %(n)d：%(name)s") % {"n": i + 1, "name": stage.name}, inner, 14, bold=True)
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


def _node_lines(title: str, subtitle: str) -> tuple[list[str], list[str], int]:
    inner = NODE_W - 2 * NODE_PAD
    titles = _wrap(title, inner, 15, bold=True)
    subtitles = _wrap(subtitle, inner, 12)
    return titles, subtitles, max(NODE_H, 20 + 19 * len(titles) + 15 * len(subtitles))


def _node(x: float, cy: float, title: str, subtitle: str) -> str:
    """A start or end node: its title and subtitle wrap within it (English is longer), and the node
    grows to hold them."""
    titles, subtitles, height = _node_lines(title, subtitle)
    y = cy - height / 2
    rx = 28 if height == NODE_H else 14
    out = [
        f'<g class="node"><rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{height:.0f}" rx="{rx}" '
        'fill="#e6f0ff" stroke="#0b3d91" stroke-width="1.5"/>'
    ]
    ty = cy - (19 * len(titles) + 15 * len(subtitles)) / 2 + 14
    for line in titles:
        out.append(_text(x + NODE_W / 2, ty, line, size=15, weight="bold", anchor="middle", fill="#0b3d91"))
        ty += 19
    ty += 1
    for line in subtitles:
        out.append(_text(x + NODE_W / 2, ty, line, size=12, anchor="middle", fill="#3e4c59"))
        ty += 15
    out.append("</g>")
    return "".join(out)


def _step_box(x: float, y: float, box: _Box) -> str:
    deemed = box.step.on_timeout == OnTimeout.DEEMED_CONSENT
    out = [
        f'<g class="step"><rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{box.height}" rx="6" '
        f'fill="#ffffff" stroke="{"#b54708" if deemed else "#3e4c59"}" stroke-width="1.5"/>'
    ]
    for k, (line, style) in enumerate(box.lines):
        size, weight, fill = _STYLE[style]
        out.append(_text(x + BOX_PAD, y + 8 + LINE * (k + 1) - 4, line, size=int(size), weight=weight, fill=fill))
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
