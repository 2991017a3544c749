"""The register of people: grid leaders, grid information officers and community police.

Leaders: one per natural village plus the town core's level-2 grids. Information officers:
one per ~30 households (a level-3 unit), spread over communities by households. Community
police: about one per 2.5 communities, within their station's jurisdiction. Phone numbers
start with 100, which no Chinese mobile number does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geogrid.sample.admin import Station
from geogrid.sample.names import person_names
from geogrid.sample.partition import apportion

LEADER, OFFICER, POLICE = "网格长", "网格信息员", "社区民警"
HOUSEHOLDS_PER_UNIT = 30
COMMUNITIES_PER_OFFICER = 2.5
VETTING = (("通过", "待审", "未通过"), (0.9, 0.08, 0.02))
REGISTER_COLUMNS = ("人员编号", "姓名", "性别", "年龄", "电话", "角色", "社区代码", "派出所代码",
                    "政审状态")  # fmt: skip


@dataclass(frozen=True)
class _RoleProfile:
    male_share: float
    mean_age: float
    sd_age: float


PROFILES = {
    LEADER: _RoleProfile(0.72, 51.0, 7.0),
    OFFICER: _RoleProfile(0.5, 46.0, 8.0),
    POLICE: _RoleProfile(0.85, 41.0, 7.0),
}


def people_register(
    rng: np.random.Generator,
    community_codes: list[str],
    community_households: np.ndarray,
    urban: np.ndarray,
    village_community: np.ndarray,
    urban_grids: int,
    stations: list[Station],
) -> pd.DataFrame:
    """Every person on the register, leaders first, then officers, then police."""
    codes = np.asarray(community_codes, dtype=object)
    leaders = np.concatenate(
        [village_community, _urban_leader_communities(community_households, urban, urban_grids)]
    )
    total_units = round(int(community_households.sum()) / HOUSEHOLDS_PER_UNIT)
    per_community = apportion(total_units, community_households, minimum=1)
    officers = np.repeat(np.arange(len(codes)), per_community)
    police, police_station = _police(stations)
    roles = [LEADER] * len(leaders) + [OFFICER] * len(officers) + [POLICE] * len(police)
    frame = _people(rng, np.asarray(roles, dtype=object))
    frame["社区代码"] = codes[np.concatenate([leaders, officers, police]).astype(np.int64)]
    frame["派出所代码"] = [None] * (len(leaders) + len(officers)) + police_station
    return frame[list(REGISTER_COLUMNS)]


def _urban_leader_communities(households: np.ndarray, urban: np.ndarray, grids: int) -> np.ndarray:
    """The community of each town-core grid leader: by households, one at least where possible."""
    towns = np.flatnonzero(urban)
    minimum = 1 if grids >= len(towns) else 0
    return np.repeat(towns, apportion(grids, households[towns], minimum=minimum))


def _police(stations: list[Station]) -> tuple[np.ndarray, list[str]]:
    """A community for each officer (the first of the 2-3 they cover) and their station."""
    communities, station_codes = [], []
    for station in stations:
        members = station.communities
        officers = int(np.ceil(len(members) / COMMUNITIES_PER_OFFICER))
        communities.extend(members[k * len(members) // officers] for k in range(officers))
        station_codes.extend([station.code] * officers)
    return np.asarray(communities, dtype=np.int64), station_codes


def _people(rng: np.random.Generator, roles: np.ndarray) -> pd.DataFrame:
    """Names, sex, age, phone and vetting, drawn by role."""
    count = len(roles)
    male_share = np.array([PROFILES[r].male_share for r in roles])
    mean = np.array([PROFILES[r].mean_age for r in roles])
    sd = np.array([PROFILES[r].sd_age for r in roles])
    male = rng.random(count) < male_share
    ages = np.clip(np.rint(rng.normal(mean, sd)), 22, 65).astype(np.int32)
    vetting = rng.choice(VETTING[0], size=count, p=VETTING[1]).astype(object)
    vetting[roles == POLICE] = VETTING[0][0]
    phones = rng.choice(10**8, size=count, replace=False)
    return pd.DataFrame(
        {
            "人员编号": [f"P{i:06d}" for i in range(1, count + 1)],
            "姓名": person_names(rng, male),
            "性别": np.where(male, "男", "女").astype(object),
            "年龄": ages,
            "电话": [f"100{p:08d}" for p in phones],
            "角色": roles,
            "政审状态": vetting,
        }
    )
