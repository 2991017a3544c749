"""Invented Chinese names for the sample county: villages, streets, communities and people.

Every list here is made up from common characters; no name is taken from a real register.
Each generator draws from the caller's numpy Generator, so the same seed gives the same names.
"""

from __future__ import annotations

import numpy as np

# Common surnames, roughly in order of frequency in Shandong, with rough relative weights.
SURNAMES = (
    "王李张刘陈杨赵孙徐马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤臧"
)
SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
MALE_GIVEN = "建国军伟强磊勇刚杰涛明辉鹏华峰斌波志宏海文平东俊凯亮超龙飞永庆德福兴振成广学忠"
FEMALE_GIVEN = "秀英芳娟敏静丽霞燕玲红梅艳华兰凤琴洁萍云莉娜婷慧珍桂玉淑爱美雪丹倩颖晶琳"

# Village names: surname + family suffix, landscape + place suffix, with direction prefixes.
FAMILY_SUFFIXES = ("家庄", "家村", "家沟", "家河", "家岭", "家屯", "家营", "家楼", "家埠", "家洼",
                   "家官庄", "家店子", "家疃", "家寨", "家台")  # fmt: skip
SHORT_SUFFIXES = ("村", "庄", "营", "屯", "疃", "寨")
LANDSCAPE_WORDS = "石河山泉岭柳杨槐枣桃梨龙马牛青松竹沙土黄红白花凤鹿"
PLACE_SUFFIXES = ("河头", "岭", "沟", "营子", "官庄", "埠", "疃", "子", "崖", "坡", "洼", "台",
                  "店", "集", "桥", "湖", "岭后", "山前", "家庄", "峪")  # fmt: skip
DIRECTIONS = "东西南北前后大小上下"

# Street bases: two characters each; a road adds 路, a street 街, an alley an ordinal and 巷.
STREET_BASES = (
    "人民", "和平", "密州", "兴华", "东关", "西关", "南关", "北关", "文化", "朝阳", "新华", "光明",
    "幸福", "胜利", "建设", "振兴", "友谊", "团结", "民主", "育才", "工农", "前进", "红旗", "东风",
    "长安", "安居", "府前", "繁荣", "龙泉", "凤凰", "青年", "公园", "东坡", "超然", "龙都", "舜王",
    "扶淇", "潍河", "常山", "马耳", "昌盛", "锦绣", "康宁", "和谐", "春晖", "秋实", "明月", "清风",
    "兴业", "商贸", "站前", "体育", "学府", "书院", "聚贤", "永安", "吉祥", "如意", "新兴", "丰收",
    "永昌", "庆丰", "益民", "惠民", "利民", "福寿", "松柏", "桂花", "海棠", "丁香", "银杏", "梧桐",
    "金城", "玉泉", "宝塔", "鼓楼", "钟楼", "仓前", "古城", "新城", "平安", "安康", "华山", "泰山",
)  # fmt: skip
URBAN_COMMUNITY_BASES = (
    "和平", "东关", "西关", "南关", "北关", "兴华", "文化", "朝阳", "新华", "府前", "繁荣", "龙泉",
    "凤凰", "锦绣", "昌盛", "振华", "建设", "光明", "幸福", "育才", "超然", "东武", "卧龙", "春华",
    "秋实", "康乐", "恒山", "常山", "扶淇", "潍水", "鼓楼", "银杏", "海棠", "丁香", "永安", "吉祥",
)  # fmt: skip
NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 written in Chinese numerals (一, 十, 十一, 二十三), as alley ordinals are."""
    if not 1 <= n <= 99:
        raise ValueError(f"n={n} is outside 1-99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens] + "十")
    return head + (NUMERALS[ones] if ones else "")


def village_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct village names (王家庄, 前王家庄, 石河头, 大朱村 ...)."""
    pool = _village_name_pool()
    if count > len(pool):
        raise ValueError(f"count={count} is more than the {len(pool)} village names available")
    order = rng.permutation(len(pool))[:count]
    return [pool[i] for i in order]


def _village_name_pool() -> list[str]:
    """Every candidate village name once, in a fixed order (the caller shuffles)."""
    family = [s + f for s in SURNAMES[:70] for f in FAMILY_SUFFIXES]
    short = [d + s + f for d in "大小前后" for s in SURNAMES[:60] for f in SHORT_SUFFIXES[:2]]
    landscape = [w + p for w in LANDSCAPE_WORDS for p in PLACE_SUFFIXES]
    directed = [d + s + "家庄" for d in DIRECTIONS for s in SURNAMES[:30]]
    seen: dict[str, None] = {}
    for name in family + short + landscape + directed:
        seen.setdefault(name, None)
    return list(seen)


def street_bases(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct street name bases; beyond the list, a direction is put in front."""
    pool = list(STREET_BASES) + [d + b for d in "东西南北" for b in STREET_BASES]
    if count > len(pool):
        raise ValueError(f"count={count} is more than the {len(pool)} street names available")
    first = [STREET_BASES[i] for i in rng.permutation(len(STREET_BASES))]
    rest = pool[len(STREET_BASES) :]
    return (first + rest)[:count]


def urban_community_bases(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct names for town communities (和平, 东关 ...), 社区 not included."""
    if count > len(URBAN_COMMUNITY_BASES):
        extra = [d + b for d in "东西南北新" for b in URBAN_COMMUNITY_BASES]
        pool = list(URBAN_COMMUNITY_BASES) + extra
    else:
        pool = list(URBAN_COMMUNITY_BASES)
    return [pool[i] for i in rng.permutation(len(pool))[:count]]


def person_names(rng: np.random.Generator, male: np.ndarray) -> list[str]:
    """A name per person: a weighted surname and one or two given characters by sex."""
    count = len(male)
    weights = SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()
    surnames = rng.choice(list(SURNAMES), size=count, p=weights)
    two_chars = rng.random(count) < 0.7
    male_chars = rng.choice(list(MALE_GIVEN), size=(count, 2))
    female_chars = rng.choice(list(FEMALE_GIVEN), size=(count, 2))
    given = np.where(male[:, None], male_chars, female_chars)
    return [
        s + g[0] + (g[1] if two else "")
        for s, g, two in zip(surnames.tolist(), given.tolist(), two_chars.tolist(), strict=True)
    ]
