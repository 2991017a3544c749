"""The project's words and constants, each defined once; it imports nothing of geogrid.

The word lists are the values the store of record accepts: storage/models.py builds its
CHECK constraints from them, and the fronts, the spatial join and the routing name their
values by them. China time is here too: duty rosters, report days and months are all counted
in China Standard Time (UTC+8, no daylight saving since 1991), whatever the server's zone.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

# Grid versions and grids.
VERSION_STATUSES = ("draft", "active", "retired")
GRID_KINDS = ("community", "rural_village", "urban_block", "unit")
COMMUNITY_KINDS = ("urban", "rural")  # a loaded community: town streets or villages

# Grid codes: 12-digit community, 15-digit level-2 grid, 18-digit level-3 unit.
CODE_LENGTH = {1: 12, 2: 15, 3: 18}
LEVEL_OF_CODE_LENGTH = {length: level for level, length in CODE_LENGTH.items()}

# Grid staff: who answers for a grid of each level.
STAFF_ROLES = ("grid_leader", "information_officer", "community_police")
ROLE_BY_LEVEL = {1: "community_police", 2: "grid_leader", 3: "information_officer"}
LEVEL_OF_ROLE = {role: level for level, role in ROLE_BY_LEVEL.items()}
VETTING_STATUSES = ("passed", "pending", "failed")

# The assistants' team (README "The team"). Selection (选任): the stages in order,
# 个人自荐/社区推荐 -> 派出所考察 -> 镇街考察确定 -> 体检 -> 公安局审核备案; a re-review
# (复审) on a cycle. Only a person who passed every stage may hold a grid in a role that
# is selected: the assistants (grid leaders and information officers; community police
# are police officers, not selected here), who are also the ones assessed each month.
SELECTION_STAGES = ("nomination", "station_inspection", "town_confirmation", "medical_check",
                    "bureau_filing")  # fmt: skip
REVIEW_STAGE = "re_review"
SELECTION_OUTCOMES = ("passed", "failed")
ASSISTANT_ROLES = ("grid_leader", "information_officer")
# The station inspection's five aspects: 政治面貌、现实表现、社会关系、家庭状况、遵纪守法.
REVIEW_ASPECTS = ("political_status", "conduct", "social_relations", "family", "law_abiding")
LEAVE_STATUSES = ("requested", "approved", "refused", "returned")
# Rewards and sanctions: 一案一奖, 一事一奖, 表彰, 警告, 调整辞退 (ends the assignments).
TEAM_ACTIONS = ("case_reward", "deed_reward", "commendation", "warning", "dismissal")
TRAINING_SCOPES = ("county", "station")
# Stored monthly figures (storage/figures_tables.py): the console's assessment table, the
# team's month lines and the map's patrol coverage per unit, each for the county or a station.
FIGURES_KINDS = ("assessment", "team", "coverage")

# API users.
API_ROLES = ("county_admin", "station", "grid_staff", "department")
# A signed-in browser or phone: the station console (a cookie) or a device running the
# assistants' app (a bearer secret kept on the phone); both stand for an API user.
SESSION_KINDS = ("console", "device")

# Reports: where they fall, where they go, how far along they are.
ASSIGNMENT_METHODS = ("inside", "boundary", "nearest", "unassigned")
# registry: a basic-information report (一标三实), filed as a registry proposal, not a case.
ROUTES = ("station", "department", "triage", "registry")
# The closed case loop (README "The case loop"): received and assigned are both 上报
# (reported; received waits in county triage), accepted 受理, rejected 不予受理 (refused),
# dispatched 派遣, in_progress 处置, resolved 处置完毕 (handled, awaiting verification),
# rework 返工, verified 核查通过 (awaiting the desk's close), closed 结案; duplicate is a
# repeat of another report. Every status before "closed" is open (the partial indexes);
# registry is a basic-information report filed as a registry proposal (outside the loop;
# kept last, after the loop's statuses).
REPORT_STATUSES = (
    "received",
    "assigned",
    "accepted",
    "dispatched",
    "in_progress",
    "resolved",
    "rework",
    "verified",
    "closed",
    "rejected",
    "duplicate",
    "registry",
)
# The steps of the loop, each an API action and an event in the trail.
LOOP_STEPS = (
    "accept",
    "refuse",
    "return",
    "dispatch",
    "start",
    "handle",
    "verify",
    "close",
    "extension",
    "extension_decide",
    "supervise",
)
EXTENSION_STATUSES = ("pending", "approved", "refused")
# The words the pages show for them (the console and the phone app alike).
STATUS_NAMES_ZH = {"received": "上报（待分流）", "assigned": "上报", "accepted": "已受理",
                   "dispatched": "已派遣", "in_progress": "处置中", "resolved": "处置完毕",
                   "rework": "返工", "verified": "核查通过，待结案", "closed": "结案",
                   "rejected": "不予受理", "duplicate": "重复",
                   "registry": "转基础信息核实"}  # fmt: skip
STEP_NAMES_ZH = {"accept": "受理", "refuse": "不予受理", "return": "退回", "dispatch": "派遣",
                 "start": "开始处置", "handle": "处置完毕", "verify": "核查", "close": "结案",
                 "extension": "申请延期", "extension_decide": "审批延期",
                 "supervise": "督办"}  # fmt: skip
ROUTE_NAMES_ZH = {"station": "派出所", "department": "责任单位", "triage": "县级分流",
                  "registry": "基础信息登记"}  # fmt: skip
STAGE_NAMES_ZH = {"nomination": "自荐/推荐", "station_inspection": "派出所考察",
                  "town_confirmation": "镇街确定", "medical_check": "体检",
                  "bureau_filing": "公安局备案", "re_review": "复审"}  # fmt: skip
ACTION_NAMES_ZH = {"case_reward": "一案一奖", "deed_reward": "一事一奖", "commendation": "表彰",
                   "warning": "警告", "dismissal": "调整辞退"}  # fmt: skip
EVENT_KINDS = ("status", "note", "instruction", "assignment", "extension", "supervision")
MAX_PHOTOS_PER_STEP = 9

# Working time (China time): a working day runs WORK_START_HOUR to WORK_END_HOUR, so a
# limit of N working days is N * WORK_HOURS_PER_DAY working hours.
WORK_START_HOUR = 9
WORK_END_HOUR = 17
WORK_HOURS_PER_DAY = WORK_END_HOUR - WORK_START_HOUR
# Default time limits of a category (editable per category); an urgent case gets
# URGENT_SHARE of each, rounded up to whole working hours.
ACCEPT_HOURS = 4
HANDLE_DAYS = 5
VERIFY_DAYS = 2
URGENT_SHARE = 0.5
# Escalation: level 1 when a stage's deadline passes, one more per ESCALATE_EVERY_HOURS
# working hours over, at most MAX_ESCALATION (3: the county).
ESCALATE_EVERY_HOURS = 8
MAX_ESCALATION = 3
CATEGORY_KINDS = ("basic", "dynamic")
HEAT_GROUPS = ("hazard", "incident")

# The spatial join forgives GPS error: a point this far outside every unit takes the nearest.
GPS_TOLERANCE_M = 50.0

# Patrols (issue 18): the coverage counts what lies within PATROL_COVER_M of a track; a
# track is drawn through the points as accurate as PATROL_MAX_ACCURACY_M or better, split
# where two points lie more than PATROL_MAX_GAP_S apart in time or farther apart than
# PATROL_MAX_SPEED_MS allows (a GPS jump, or a ride between two walks).
PATROL_COVER_M = 50.0
PATROL_MAX_ACCURACY_M = 100.0
PATROL_MAX_GAP_S = 600
PATROL_MAX_SPEED_MS = 20.0  # 72 km/h
PATROL_BATCH_MAX_POINTS = 10_000  # track points in one upload
CLOCK_SKEW_S = 600  # how far a phone's clock may run ahead of the server's

# Build defaults: what `geogrid build`, the demo and BuildOptions start from.
BUILD_TOLERANCE_M = 1.0  # gaps and overlaps narrower than this are snapped
TOWN_GRID_HOUSEHOLDS = 1500  # target households of a town level-2 grid
UNIT_HOUSEHOLDS = 30  # target households of a level-3 unit (the source case's 30户左右)
UNIT_HOUSEHOLDS_LOW = 20
UNIT_HOUSEHOLDS_HIGH = 40

# China time.
CHINA_OFFSET_S = 8 * 3600
CHINA_TZ = timezone(timedelta(seconds=CHINA_OFFSET_S), "CST")
CHINA_ZONE = "+08:00"  # the offset as ISO 8601 text, for parsers of time strings
SECONDS_PER_DAY = 86_400
EPOCH_DAY = date(1970, 1, 1)
Seconds = TypeVar("Seconds")  # an int, or a numpy integer array


def china_now() -> datetime:
    """The present moment in China Standard Time."""
    return datetime.now(CHINA_TZ)


def china_today() -> date:
    """Today's date in China Standard Time, the calendar duty rosters are kept in."""
    return EPOCH_DAY + timedelta(days=china_day_number())


def china_day_number(epoch_seconds: Seconds | None = None) -> Seconds | int:
    """Days since 1970-01-01 in China time of UTC epoch seconds (default: now).

    Integer arithmetic only, so it works on an int and on a numpy int64 array alike.
    """
    seconds = int(time.time()) if epoch_seconds is None else epoch_seconds
    return (seconds + CHINA_OFFSET_S) // SECONDS_PER_DAY


def as_china_time(moment: datetime) -> datetime:
    """A naive time is taken as China time, as the phones show it; an aware one is moved there."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def china_day(moment: datetime) -> date:
    """The calendar day in China of an aware moment (a naive one is taken as China time)."""
    return as_china_time(moment).date()


def china_midnight(day: date) -> datetime:
    """The moment a China calendar day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)


# The basic-information registry (一标三实, README "The registry"): its record kinds, the
# uses of a house (实有房屋), a resident's residence (户籍 registered / 流动 floating), how
# far along a proposed change is (grid staff propose, the community police confirm 核实),
# and the parts of a standard address (标准地址) in the order they are written.
REGISTRY_KINDS = ("housing", "resident", "organisation", "key_person")
# What a proposal may be: a record's change, a basic-information report to complete into a
# record (its facts chosen by the confirming officer), or a new standard address.
PROPOSAL_KINDS = (*REGISTRY_KINDS, "report", "address")
HOUSING_USES = ("home", "shop", "rental", "vacant", "other")
RESIDENCE_TYPES = ("registered", "floating")
PROPOSAL_STATUSES = ("pending", "confirmed", "rejected")
RECORD_STATUSES = ("current", "ended")
ADDRESS_PARTS = ("street", "house_no", "estate", "building", "unit_no", "floor", "room")
# The lookup's reach for the nearest standard addresses (and a basic report's address).
ADDRESS_NEAR_M = 200.0
# Registry kinds whose details only the station (its jurisdiction) and the county see.
REGISTRY_DETAIL_KINDS = ("resident", "key_person")

# YYYY-MM, 1900-01 to 2999-12 (the API documents the same pattern).
MONTH_PATTERN = r"((?:19|2\d)\d\d)-(0[1-9]|1[0-2])"


def china_month(month: str) -> tuple[datetime, datetime] | None:
    """The start (inclusive) and end (exclusive) of a 'YYYY-MM' month in China time, as
    aware China times; None when `month` is not of that form."""
    found = re.fullmatch(MONTH_PATTERN, month or "")
    if not found:
        return None
    year, number = int(found[1]), int(found[2])
    start = datetime(year, number, 1, tzinfo=CHINA_TZ)
    return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CHINA_TZ)


# The words the console, prints and phone show for them.
HOUSING_USE_NAMES_ZH = {"home": "自住", "shop": "商铺", "rental": "出租", "vacant": "空置",
                        "other": "其他"}  # fmt: skip
RESIDENCE_NAMES_ZH = {"registered": "户籍", "floating": "流动"}
KEY_PERSON_NAMES_ZH = {
    "mental_illness": "肇事肇祸精神障碍患者",
    "drug_user": "吸毒人员",
    "community_correction": "社区矫正人员",
    "released_prisoner": "刑满释放人员",
    "petitioner": "重点信访人员",
    "other": "其他重点人员",
}
PROPOSAL_STATUS_NAMES_ZH = {"pending": "待核实", "confirmed": "已核实", "rejected": "已退回"}
