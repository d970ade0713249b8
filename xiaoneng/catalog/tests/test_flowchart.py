"""The flowchart stays legible with long Chinese names (CAT-5): every text wraps inside its step box
or stage column, no line starts with closing punctuation, stage headers sit above the boxes, and
three stages fit the public page's content column."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from xiaoneng.catalog.flowchart import (
    BOX_PAD,
    BOX_W,
    COL_W,
    FONT_SIZE,
    NO_LINE_START,
    NODE_PAD,
    NODE_W,
    PAD,
    _node_lines,
    _width,
    _wrap,
    flowchart_svg,
    text_width,
)
from xiaoneng.catalog.flowchart import BOX_W as box_w
from xiaoneng.catalog.tests.factories import head, make_item

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"

LONG = "房屋建筑和市政基础设施工程竣工验收备案及城市建设档案移交（含人防、消防、规划核实）"


def _long_item(world):
    step = {
        "role": "reviewer",
        "limit_days": 5,
        "on_timeout": "deemed_consent",
        "supervision_point": "是否在规定时限内出具书面意见并说明不予通过的理由和依据",
        "applicant_rights": "陈述、申辩、对不予许可决定申请行政复议或者提起行政诉讼",
    }
    stages = [
        {"name": "综合窗口统一受理并一次性告知需补正的全部材料", "steps": [{**step, "name": LONG, "role": "clerk"}]},
        {
            "name": "多部门联合验收（现场核查）",
            "join_policy": "quorum",
            "quorum": 1,
            "steps": [
                {
                    **step,
                    "name": "住建：工程质量竣工验收监督及备案材料审查（联合验收意见）",
                    "department": world.dept.pk,
                },
                {**step, "name": "联合验收意见（现场核查）", "department": world.other_dept.pk},
            ],
        },
        {"name": "决定", "steps": [{**step, "name": "审批决定", "role": "dept_head", "limit_days": 2}]},
    ]
    return make_item(world.dept, world.user("clerk"), name=LONG, stages=stages, statutory_limit=30, committed_limit=15)


def _number(node: ET.Element, name: str) -> float:
    value = node.get(name)
    assert value is not None
    return float(value)


def _texts(node: ET.Element) -> list[tuple[float, float, float, str]]:
    return [(_number(t, "x"), _number(t, "y"), _number(t, "font-size"), t.text or "") for t in node.iter(SVG + "text")]


def test_long_names_wrap_inside_their_step_boxes_and_headers_stay_above_the_boxes(world):
    # given an item whose names, rights and supervision points are far longer than a box is wide
    root = ET.fromstring(flowchart_svg(head(_long_item(world))).encode())
    width = _number(root, "width")
    boxes = root.findall(f".//{SVG}g[@class='step']")
    assert len(boxes) == 4
    tops = []
    for box in boxes:
        rect = box.find(SVG + "rect")
        assert rect is not None
        x, y, w = _number(rect, "x"), _number(rect, "y"), _number(rect, "width")
        tops.append(y)
        lines = _texts(box)
        assert len(lines) > 6  # wrapped, not cut
        for tx, ty, size, text in lines:
            # then every line ends inside the box (10 px padding) and below its top edge
            assert tx + _width(text, size) <= x + w - 8, text
            assert ty > y
            assert text[0] not in NO_LINE_START, text
    # and the stage headers and the join policy are drawn above the highest box
    headers = [t for t in _texts(root) if t[3].startswith("阶段") or t[3].startswith("并联审批")]
    assert headers
    assert max(ty for _x, ty, _s, _t in headers) < min(tops) - 8
    # and the title stays within the drawing
    title = [t for t in _texts(root) if t[2] == 20]
    assert title
    assert all(tx + _width(text, 20) <= width for tx, _y, _s, text in title)


def test_a_long_title_wraps_on_a_narrow_chart(world):
    # given a one-stage process (a narrow drawing) and a long name
    item = make_item(world.dept, world.user("clerk"), name=LONG * 2, stages=[])
    root = ET.fromstring(flowchart_svg(head(item)).encode())
    # then the title takes several lines, each inside the drawing
    title = [t for t in _texts(root) if t[2] == 20]
    assert len(title) >= 2
    assert all(tx + _width(text, 20) <= _number(root, "width") for tx, _y, _s, text in title)


def test_three_stages_fit_the_public_content_column(world):
    svg = flowchart_svg(head(_long_item(world)))
    assert _number(ET.fromstring(svg.encode()), "width") <= 1100


def test_wrap_keeps_punctuation_with_its_neighbour_and_leaves_no_orphan():
    # a closing bracket or 、 never starts a line; an opening bracket never ends one
    for line in _wrap("联合验收意见（现场核查）、备案", 6.5 * 14, 14)[1:]:
        assert line[0] not in NO_LINE_START
    assert all(not line.endswith("（") for line in _wrap("联合验收意见（现场核查）", 6 * 14, 14))
    # a last line of one character takes its neighbour along
    lines = _wrap("申请人权利：申请复议或提起诉讼", BOX_W - 20, FONT_SIZE)
    assert len(lines[-1]) >= 2
    assert "".join(lines) == "申请人权利：申请复议或提起诉讼"


def _overflows(svg: str) -> list[str]:
    """Every text line wider than the box (step, node) or room (title, headers, footer) it sits in,
    measured with the renderer's own text_width (issue 9: English overflowed its boxes)."""

    root = ET.fromstring(svg.encode())
    width = _number(root, "width")
    bad = []

    def measure(t: ET.Element) -> float:
        return text_width(t.text or "", _number(t, "font-size"), t.get("font-weight") == "bold")

    boxed = set()
    for g in root.iter(SVG + "g"):
        rect = g.find(SVG + "rect")
        if rect is None:
            continue
        left, room = _number(rect, "x"), _number(rect, "width")
        inset = BOX_PAD if g.get("class") == "step" else NODE_PAD
        for t in g.iter(SVG + "text"):
            boxed.add(id(t))
            w = measure(t)
            start = _number(t, "x") - (w / 2 if t.get("text-anchor") == "middle" else 0)
            if start < left + inset - 0.5 or start + w > left + room - inset + 0.5:
                bad.append(f"{t.text!r}: {w:.0f}px in a {room:.0f}px box")
    for t in root.iter(SVG + "text"):
        if id(t) in boxed:
            continue
        w = measure(t)
        if t.get("text-anchor") == "middle":  # a stage header: within its column
            if w > COL_W - 16 + 0.5:
                bad.append(f"{t.text!r}: {w:.0f}px in a {COL_W - 16}px column")
        elif _number(t, "x") + w > width - PAD + 0.5:
            bad.append(f"{t.text!r}: {w:.0f}px past the right edge")
    return bad


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_text_line_is_wider_than_its_box_in_chinese_or_english(world, language):

    # given an item with long names, rendered with the translation active
    version = head(_long_item(world))
    with translation.override(language):
        svg = flowchart_svg(version)
    # then every line fits its box by the same measure the layout uses
    assert _overflows(svg) == []
    assert f'width="{box_w}"' in svg


def test_english_words_are_not_cut_in_the_middle():

    with translation.override("en"):
        lines = _wrap("Time limit: 5 working days; escalated level by level when overdue", 150)
    assert len(lines) > 1
    assert all(not line.endswith(("-",)) for line in lines)
    text = "Time limit: 5 working days; escalated level by level when overdue"
    assert " ".join(lines).split(" ") == text.split(" ")  # every break falls between two words


def test_the_node_labels_fit_in_english():

    with translation.override("en"):
        nodes = [_node_lines(_("开始"), _("提交申请")), _node_lines(_("办结"), _("送达结果"))]
    for titles, subtitles, _h in nodes:
        assert all(text_width(t, 15, True) <= NODE_W - 2 * NODE_PAD for t in titles)
        assert all(text_width(t, 12) <= NODE_W - 2 * NODE_PAD for t in subtitles)
    # a one-word title is never cut ("Completio" / "n")
    assert [titles for titles, _s, _h in nodes] == [["Start"], ["Completion"]]
