"""Fast paths in extraction give exactly what the plain versions gave."""

from __future__ import annotations

import random
import re

import pytest

from crawler.extract.body import filter_boilerplate

# The boilerplate rule as one regex, before it was split for speed.
PLAIN_LINE_DROP = re.compile(
    r"^(?:[【\[]?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回顶部|收藏|纠错|我要纠错|"
    r"Print|Close|Back to top|Top)\s*[】\]]?\s*)+$"
    r"|^[【\[]?\s*(?:字号|字体|Font ?size|Text size)\s*[:：]?.{0,20}$"
    r"|^(?:分享到|分享|Share(?: to)?)\s*[:：]?.{0,40}$"
    r"|扫一扫在手机打开当前页|Scan to open the current page|Scan the QR code"
    r"|网站标识码|ICP备|ICP证|公网安备|公安备案|版权所有|Copyright|©|All rights reserved"
    r"|^[（(\[【]?\s*(?:责任编辑|编辑|Editor|Chief Editor)\s*[:：]",
    re.IGNORECASE,
)

FURNITURE = [
    "打印本页", "【关闭窗口】", "[Print] [Close]", "字号：大 中 小", "Font size: A A A", "分享到：微信 微博",
    "Share to: WeChat", "扫一扫在手机打开当前页", "SCAN THE QR CODE", "网站标识码 bm00000000",
    "京ICP备00000000号", "京icp证0000号", "京公网安备 0000号", "版权所有：民政部", "COPYRIGHT 2024", "© 2024",
    "all rights reserved", "（责任编辑：张三）", "Chief Editor: Li", "正文里有 Copyright 一词",
]
PROSE = [
    "民政部召开全国养老服务工作会议，部署推进基本公共服务体系建设。",
    "The Ministry of Civil Affairs held a national conference on elderly care services.",
    "打印机采购公告", "分享经验" + "很长的正文" * 20, "编辑部", "Topic of the day", "",
]


def plain(lines: list[str]) -> list[str]:
    return [line for line in lines if not PLAIN_LINE_DROP.search(line)]


@pytest.mark.parametrize("line", FURNITURE + PROSE)
def test_each_line_is_judged_as_before(line: str) -> None:
    assert filter_boilerplate([line]) == plain([line])


def test_furniture_is_dropped_and_prose_kept() -> None:
    assert filter_boilerplate(FURNITURE) == []
    assert filter_boilerplate(PROSE) == PROSE


@pytest.mark.parametrize("seed", range(30))
def test_random_lines_are_judged_as_before(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "打印本页关闭窗口【】[] 字号：:分享到扫一扫网站标识码ICP备证公安版权所有©CopyrightAllrsvdScanQRcode责任编辑ſKİı民政部，。l"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(60)]
    assert [line for line in lines if filter_boilerplate([line])] == plain(lines)
