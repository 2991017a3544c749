"""What a sample report says and when: Chinese texts from small templates, report times.

Times follow a grid assistant's day: mostly 08:00-20:00 with a lunch dip, fewer at
weekends; incidents (治安, 纠纷, 交通) lean towards the evening.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import numpy as np

from geogrid.vocabulary import as_china_time

DAYS = 365
SECONDS_PER_DAY = 86_400
WEEKEND_FACTOR = 0.5  # a weekend day gets half the reports of a weekday
# Relative reports per hour of the day, 00-23.
DAY_RHYTHM = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.5, 7, 9, 9, 8,
     4, 5, 8.5, 9, 8.5, 7, 4, 3, 1.5, 1, 0.6, 0.3]
)  # fmt: skip
EVENING_RHYTHM = np.array(
    [1.5, 1, 0.7, 0.5, 0.4, 0.5, 1, 2.5, 5, 6, 6, 6,
     5, 5, 6, 6.5, 7, 7.5, 7, 6.5, 6, 5, 3.5, 2.5]
)  # fmt: skip

ADDRESS = "{address}"
# Per category a few texts; {address} is the household's 地址 (the hotspot's, for clustered ones).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "population": (
        "新增流动人口登记：{address}", "{address}住户人口信息变更", "{address}新生儿信息采集",
        "{address}人员迁出，核销实有人口", "核实{address}常住人口信息",
    ),
    "rental_housing": (
        "新增出租房屋登记：{address}", "{address}出租房屋租客变更", "{address}出租房屋退租核销",
        "核查{address}出租房屋承租人身份信息",
    ),
    "key_unit": (
        "{address}加油站重点单位信息核查", "{address}学校安保情况登记",
        "{address}重点单位负责人变更", "{address}卫生院安防设施信息采集",
    ),
    "dangerous_goods": (
        "发现液化气罐违规存放", "{address}附近液化气罐违规存放", "{address}烟花爆竹经营点登记",
        "{address}附近发现散装汽油违规销售", "{address}危化品仓库台账核查",
    ),
    "housing": (
        "{address}房屋信息采集", "{address}新建房屋登记", "{address}房屋用途变更（住宅改商用）",
        "{address}空置房屋核实",
    ),
    "organisation": (
        "新增单位登记：{address}（个体工商户）", "{address}单位法人信息变更",
        "{address}单位注销核实", "{address}新开门店信息采集",
    ),
    "key_person": (
        "{address}重点人员动态走访", "{address}重点人员近期外出，已报告",
        "{address}社区矫正人员日常走访",
    ),
    "special_group": (
        "{address}独居老人走访", "{address}留守儿童信息登记", "{address}精神障碍患者随访",
        "{address}困境儿童信息更新",
    ),
    "work_safety": (
        "建筑工地未设防护网", "{address}附近小作坊违规使用电焊设备",
        "{address}附近厂房电线私拉乱接", "{address}附近脚手架搭设不规范",
    ),
    "fire_hazard": (
        "{address}楼道堆放杂物，堵塞消防通道", "{address}电动车楼道内充电",
        "{address}附近沿街门店灭火器过期", "{address}附近秸秆堆垛距民房过近",
    ),
    "environment": (
        "露天焚烧垃圾", "{address}附近小作坊污水直排河道", "{address}附近养殖场异味扰民",
        "{address}附近违规倾倒建筑垃圾",
    ),
    "land": (
        "{address}附近违规占用耕地建房", "{address}附近私挖乱采沙土",
        "{address}附近临时用地超期未复垦",
    ),
    "culture_edu_health": (
        "{address}附近无证诊所行医", "{address}附近校园周边流动摊贩聚集",
        "{address}附近网吧接纳未成年人", "{address}附近文化广场健身器材损坏",
    ),
    "civil_affairs": (
        "{address}困难家庭申请低保", "{address}老人申请高龄补贴", "{address}残疾人补贴信息核实",
        "{address}临时救助申请",
    ),
    "public_security": (
        "发现可疑人员徘徊", "{address}附近电动车被盗", "{address}附近夜间有人聚众滋事",
        "{address}住户反映遭遇电信诈骗",
    ),
    "dispute": (
        "{address}邻里因宅基地边界发生纠纷", "{address}家庭矛盾，已现场调解",
        "{address}附近商户与顾客发生争执", "{address}拖欠农民工工资纠纷",
    ),
    "traffic": (
        "{address}附近路口信号灯故障", "{address}附近发生两车刮擦事故",
        "{address}附近农用车违规载人", "{address}附近道路坑洼，存在交通安全隐患",
    ),
    "urban_management": (
        "{address}附近占道经营", "{address}附近路灯损坏", "{address}附近井盖缺失",
        "{address}附近违章搭建",
    ),
}  # fmt: skip


def report_texts(
    rng: np.random.Generator, codes: tuple[str, ...], category: np.ndarray, address: np.ndarray
) -> np.ndarray:
    """A text per report from its category's templates (category indexes `codes`)."""
    texts = np.empty(len(category), dtype=object)
    for index, code in enumerate(codes):
        rows = np.flatnonzero(category == index)
        templates = TEMPLATES[code]
        # Split each template at {address} once, so a million texts are array concatenations.
        heads = np.asarray([t.partition(ADDRESS)[0] for t in templates], dtype=object)
        tails = np.asarray([t.partition(ADDRESS)[2] for t in templates], dtype=object)
        uses = np.asarray([ADDRESS in t for t in templates])
        pick = rng.integers(0, len(templates), len(rows))
        words = np.where(uses[pick], address[rows], "").astype(object)
        texts[rows] = heads[pick] + words + tails[pick]
    return texts


def china_time(start: datetime | None, default: datetime) -> datetime:
    """start in China time (UTC+8); a naive start is taken as China time already."""
    moment = default if start is None else start
    return as_china_time(moment)


def report_times(rng: np.random.Generator, start: datetime, evening: np.ndarray) -> np.ndarray:
    """Local (UTC+8) times over the DAYS whole days before start's day, as datetime64[s]."""
    midnight = np.datetime64(start.replace(tzinfo=None).date(), "D")
    days_back = np.arange(1, DAYS + 1)
    weekday = ((midnight - days_back).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    day_weight = np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    day = _weighted(rng, day_weight, len(evening))
    hour = np.where(
        evening,
        _weighted(rng, EVENING_RHYTHM, len(evening)),
        _weighted(rng, DAY_RHYTHM, len(evening)),
    )
    second = hour * 3600 + rng.integers(0, 3600, len(evening))
    base = midnight.astype("datetime64[s]")
    return base - days_back[day] * np.timedelta64(1, "D") + second * np.timedelta64(1, "s")


def iso_times(times: np.ndarray) -> np.ndarray:
    """Local datetime64[s] as ISO 8601 text with the +08:00 offset: 2026-03-14T09:23:41+08:00."""
    seconds = times.astype(np.int64)
    day = seconds // SECONDS_PER_DAY
    first = int(day.min())
    # A year has 365 dates and a day 86,400 clock readings: format those once, then look up.
    dates = np.arange(first, int(day.max()) + 1).astype("datetime64[D]")
    date_text = np.asarray([f"{date}T" for date in dates.tolist()], dtype=object)
    return date_text[day - first] + _clock_texts()[seconds % SECONDS_PER_DAY]


@lru_cache(maxsize=1)
def _clock_texts() -> np.ndarray:
    """'hh:mm:ss+08:00' for every second of a day."""
    return np.asarray(
        [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in range(SECONDS_PER_DAY)],
        dtype=object,
    )


def _weighted(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n indices into weights, drawn in proportion to them."""
    cumulative = np.cumsum(weights, dtype=np.float64)
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
