"""The payroll sheet of a month per town (镇街): each assistant's subsidy and the phone
plan's cost shares (the source case: 62 yuan a month, 50 % city, 25 % town, 25 % telecom
company; settings), as XLSX (openpyxl) and as CSV (UTF-8 with a BOM, for Excel)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from geogrid.team.assessment import Line

FEN = Decimal("0.01")
HEADERS = ("镇街代码 town", "镇街 town name", "派出所 station", "人员编号 person_no",
           "姓名 name", "得分 score", "绩效 performance", "奖励 rewards", "扣减 deductions",
           "补贴 subsidy", "已确认 confirmed", "话费 phone plan", "市承担 city",
           "镇街承担 town", "电信承担 telecom")  # fmt: skip


@dataclass(frozen=True)
class PhonePlan:
    """The monthly phone plan of an assistant and who pays which share."""

    yuan: Decimal
    city: Decimal
    town: Decimal
    telecom: Decimal

    @classmethod
    def from_settings(cls, settings) -> PhonePlan:
        """The plan the settings give (GEOGRID_PHONE_PLAN_YUAN, GEOGRID_PHONE_SHARE_*)."""
        return cls(*(Decimal(str(value)) for value in (
            settings.phone_plan_yuan, settings.phone_share_city, settings.phone_share_town,
            settings.phone_share_telecom)))  # fmt: skip

    def shares(self) -> tuple[Decimal, Decimal, Decimal]:
        """The city's, town's and telecom's yuan; the telecom takes the rounding's fen."""
        city = (self.yuan * self.city).quantize(FEN, ROUND_HALF_UP)
        town = (self.yuan * self.town).quantize(FEN, ROUND_HALF_UP)
        return city, town, self.yuan - city - town


def payroll_rows(lines: list[Line], plan: PhonePlan) -> dict[str, list[tuple]]:
    """Per town code, a row per assistant (by register number) and a total row."""
    towns: dict[str, list[tuple]] = {}
    city, town, telecom = plan.shares()
    for line in sorted(lines, key=lambda li: (li.town_code, li.person_no)):
        towns.setdefault(line.town_code, []).append((
            line.town_code, line.town_name, line.station_code or "", line.person_no, line.name,
            line.score, line.performance_yuan, line.rewards_yuan, line.deductions_yuan,
            line.amount, "是" if line.confirmed else "否", plan.yuan, city, town,
            telecom))  # fmt: skip
    for rows in towns.values():
        total = [sum(r[i] for r in rows) for i in (6, 7, 8, 9, 11, 12, 13, 14)]
        rows.append((rows[0][0], rows[0][1], "", "合计 total", f"{len(rows)} 人", "",
                     *total[:4], "", *total[4:]))  # fmt: skip
    return towns


def payroll_csv(lines: list[Line], plan: PhonePlan) -> str:
    """Every town's rows (each town with its total) as one CSV text, with a BOM for Excel."""
    import io

    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(HEADERS)
    for rows in payroll_rows(lines, plan).values():
        writer.writerows(rows)
    return "\ufeff" + handle.getvalue()


def write_payroll(lines: list[Line], month: str, plan: PhonePlan, out: Path) -> list[Path]:
    """Write payroll-<month>-<town>.xlsx and .csv for each town into `out`; the paths."""
    from openpyxl import Workbook

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for code, rows in payroll_rows(lines, plan).items():
        stem = out / f"payroll-{month}-{code}"
        book = Workbook()
        sheet = book.active
        sheet.title = f"{month} {code}"
        sheet.append([f"{rows[0][1]} 警务助理补贴发放表 {month}"])
        sheet.append(list(HEADERS))
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        book.save(stem.with_suffix(".xlsx"))
        with stem.with_suffix(".csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        written += [stem.with_suffix(".xlsx"), stem.with_suffix(".csv")]
    return written
