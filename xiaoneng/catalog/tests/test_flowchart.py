"""The flowchart stays legible with long Chinese names (CAT-5): every text wraps inside its step box
or stage column, no line starts with closing punctuation, stage headers sit above the boxes, and
three stages fit the public page's content column."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from xiaoneng.catalog.flowchart import BOX_W, FONT_SIZE, NO_LINE_START, _width, _wrap, flowchart_svg
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
    assert headers and max(ty for _x, ty, _s, _t in headers) < min(tops) - 8
    # and the title stays within the drawing
    title = [t for t in _texts(root) if t[2] == 20]
    assert title and all(tx + _width(text, 20) <= width for tx, _y, _s, text in title)


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
    assert len(lines[-1]) >= 2 and "".join(lines) == "申请人权利：申请复议或提起诉讼"
