"""The date parser: every supported shape, Beijing time, and the range checks."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract.dates import DateRejected, date_from_url, find_date

TODAY = date(2024, 6, 1)

SHAPES = [
    ("2019-12-19 10:30", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019-12-19 10:30:00", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019-12-19", "2019-12-19", None),
    ("2019-1-9", "2019-01-09", None),
    ("2019年12月19日", "2019-12-19", None),
    ("2019年12月19日 10:30", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019年12月19日10时30分", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019年1月9日", "2019-01-09", None),
    ("2019.12.19", "2019-12-19", None),
    ("2019/12/19", "2019-12-19", None),
    ("2019/12/19 08:05", "2019-12-19", "2019-12-19T08:05:00+08:00"),
    ("２０１９年１２月１９日", "2019-12-19", None),
    ("２０１９－１２－１９　１０：３０", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("Dec 19, 2019", "2019-12-19", None),
    ("December 19, 2019 10:30", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("Sept. 3, 2019", "2019-09-03", None),
    ("19 December 2019", "2019-12-19", None),
    ("19 Dec 2019", "2019-12-19", None),
    ("2019-12-19T10:30:00+08:00", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019-12-19T10:30:00.000+0800", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    # Other offsets are converted to Beijing time, which can move the calendar day.
    ("2019-12-19T02:30:00Z", "2019-12-19", "2019-12-19T10:30:00+08:00"),
    ("2019-12-18T20:00:00Z", "2019-12-19", "2019-12-19T04:00:00+08:00"),
    ("2019-12-19T10:30:00-05:00", "2019-12-19", "2019-12-19T23:30:00+08:00"),
    # gov.cn's firstpublishedtime.
    ("2019-12-19-10:30:12", "2019-12-19", "2019-12-19T10:30:12+08:00"),
]


@pytest.mark.parametrize(("text", "day", "moment"), SHAPES)
def test_every_supported_shape(text, day, moment):
    parsed = find_date(text, today=TODAY)
    assert parsed is not None
    assert parsed.published_date == day
    assert parsed.published_at == moment


@pytest.mark.parametrize(("text", "day", "moment"), SHAPES)
def test_shapes_are_found_inside_info_lines(text, day, moment):
    parsed = find_date(f"发布时间：{text}　来源：中国社会报", today=TODAY)
    assert parsed is not None and parsed.published_date == day and parsed.published_at == moment


@pytest.mark.parametrize(
    "text",
    ["", "来源：中国社会报", "2019-13-01", "2019-02-30", "2019年2月30日", "Feb 30, 2019", "12/19/2019",
     "20191219", "第2019号", "电话：010-58123114", "Dec 2019"],
)
def test_not_a_date(text):
    try:
        assert find_date(text, today=TODAY) is None
    except DateRejected:
        pass  # a date-shaped string the calendar refuses


def test_impossible_calendar_day_is_rejected_not_guessed():
    with pytest.raises(DateRejected):
        find_date("2019-02-30", today=TODAY)


@pytest.mark.parametrize("text", ["2024-06-03", "2099-01-01 00:00", "2030年1月1日"])
def test_future_dates_are_rejected(text):
    with pytest.raises(DateRejected):
        find_date(text, today=TODAY)


def test_tomorrow_is_tolerated_for_clock_skew():
    assert find_date("2024-06-02", today=TODAY).published_date == "2024-06-02"


@pytest.mark.parametrize("text", ["1989-12-31", "1900年1月1日", "Jan 1, 1970"])
def test_dates_before_1990_are_rejected(text):
    with pytest.raises(DateRejected):
        find_date(text, today=TODAY)


def test_first_date_in_text_wins():
    parsed = find_date("发布日期：2019-12-19 更新时间：2020-01-02", today=TODAY)
    assert parsed.published_date == "2019-12-19"
    parsed = find_date("19 December 2019, updated 2020-01-02", today=TODAY)
    assert parsed.published_date == "2019-12-19"


def test_hour_out_of_range_is_not_a_time():
    parsed = find_date("2019-12-19 25:30", today=TODAY)
    assert parsed.published_date == "2019-12-19" and parsed.published_at is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("http://www.mohrss.gov.cn/a/201912/t20191219_349876.html", "2019-12-19"),
        ("https://www.gov.cn/xinwen/2019-12/19/content_5462345.htm", "2019-12-19"),
        ("https://example.gov.cn/news/2019/12/19/abc.html", "2019-12-19"),
        ("https://example.gov.cn/news/20191219/abc.html", "2019-12-19"),
        ("https://www.gov.cn/zhengce/content_20191219001.htm", "2019-12-19"),
    ],
)
def test_date_from_url(url, day):
    assert date_from_url(url, today=TODAY).published_date == day


def test_url_without_day_gives_no_date():
    url = "http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022493.shtml"
    assert date_from_url(url, today=TODAY) is None


def test_future_url_date_is_ignored():
    assert date_from_url("http://x.gov.cn/202912/t20291219_1.html", today=TODAY) is None


def test_info_line_gives_day_and_time():
    parsed = find_date("发布时间：2019-12-19 10:30 来源：中国社会报", today=TODAY)
    assert parsed.published_date == "2019-12-19" and parsed.published_at == "2019-12-19T10:30:00+08:00"
