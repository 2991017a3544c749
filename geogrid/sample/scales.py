"""The three sizes of sample county and the towns/streets (镇街) of Zhucheng they draw on."""

from __future__ import annotations

from dataclasses import dataclass

COUNTY_CODE = "370782"
COUNTY_NAME = "诸城市"
# Zhucheng's town centre in WGS-84 (lon, lat); used when it lies inside the given outline.
TOWN_CENTRE_WGS84 = (119.41, 35.99)
# Township/street name -> 3-digit code (街道 001-003, 镇 101-110), as in the 12-digit codes.
TOWN_CODES = {
    "密州街道": "001", "龙都街道": "002", "舜王街道": "003", "枳沟镇": "101", "贾悦镇": "102",
    "石桥子镇": "103", "相州镇": "104", "昌城镇": "105", "百尺河镇": "106", "辛兴镇": "107",
    "林家村镇": "108", "皇华镇": "109", "桃林镇": "110",
}  # fmt: skip


@dataclass(frozen=True)
class ScaleSpec:
    """How big a sample county is and how it is laid out."""

    name: str
    label: str  # 名称 of the county layer
    radius_m: float | None  # circle around the town centre; None: the whole outline
    core_cols: int  # superblocks (urban communities) west-east
    core_rows: int  # superblocks south-north
    superblock_m: float  # main-road spacing in the town core
    rural_communities: int
    villages: int
    households: int  # sum of 户数 over the county
    village_share: float  # fraction of the households living in villages
    towns: tuple[str, ...]  # towns/streets used, each with one police station
    urban_towns: tuple[str, ...]  # streets sharing the core's columns, west to east
    extra_stations: tuple[tuple[str, str], ...]  # (town, station name): a second station
    urban_grids: int  # level-2 grids expected in the town core (one leader each)

    @property
    def urban_communities(self) -> int:
        """Town communities: one per superblock of the core."""
        return self.core_cols * self.core_rows


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(
        name="tiny", label="诸城市(样例-小)", radius_m=2_500.0, core_cols=2, core_rows=1,
        superblock_m=700.0, rural_communities=2, villages=24, households=4_200,
        village_share=0.62, towns=("密州街道", "龙都街道"), urban_towns=("密州街道",),
        extra_stations=(), urban_grids=3,
    ),
    "town": ScaleSpec(
        name="town", label="诸城市(样例-镇)", radius_m=8_000.0, core_cols=4, core_rows=2,
        superblock_m=900.0, rural_communities=22, villages=200, households=48_000,
        village_share=0.5, towns=("密州街道", "龙都街道", "舜王街道", "枳沟镇"),
        urban_towns=("密州街道", "龙都街道"), extra_stations=(("密州街道", "东关派出所"),),
        urban_grids=12,
    ),
    "full": ScaleSpec(
        name="full", label=COUNTY_NAME, radius_m=None, core_cols=6, core_rows=3,
        superblock_m=1_000.0, rural_communities=217, villages=1_338, households=217_080,
        village_share=0.65, towns=tuple(TOWN_CODES),
        urban_towns=("舜王街道", "密州街道", "龙都街道"),
        extra_stations=(("密州街道", "东关派出所"), ("龙都街道", "南湖派出所")), urban_grids=39,
    ),
}  # fmt: skip


def scale_spec(scale: str) -> ScaleSpec:
    """The spec of a scale name; a ValueError names an unknown one."""
    try:
        return SCALES[scale]
    except (KeyError, TypeError):
        known = ", ".join(SCALES)
        raise ValueError(f"scale {scale!r} is not one of {known}") from None
