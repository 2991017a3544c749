"""`geogrid team ...`: the assistants' team: selection, assignment, leave with a cover,
rewards and sanctions, the month's assessment, its confirmation and the payroll sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from geogrid.cli.common import console, engine, settings
from geogrid.errors import InputError

app = typer.Typer(help="The assistants' team (警务助理队伍).", no_args_is_help=True)
ACTOR = typer.Option("geogrid-cli", "--by", help="Who decided (kept with the record).")


def _day(value: str | None, name: str) -> date:
    from geogrid.vocabulary import china_today

    if value is None:
        return china_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--{name} {value!r} is not a date (YYYY-MM-DD)", field=name) from None


@app.command()
def stage(
    person_no: str, stage: str, outcome: str = typer.Argument(..., help="passed or failed"),
    on: str | None = typer.Option(None, help="Day decided (default today)."),
    note: str = typer.Option(""), by: str = ACTOR,
    aspect: list[str] = typer.Option([], help="The inspection's aspects: name=finding "
                                     "(political_status, conduct, social_relations, family, "
                                     "law_abiding)."),
) -> None:  # fmt: skip
    """Record a stage of selection (选任), in order."""
    from geogrid.team.people import find_person
    from geogrid.team.selection import StageDecision, record_stage

    aspects = dict(a.split("=", 1) for a in aspect if "=" in a)
    with engine().begin() as conn:
        person = find_person(conn, person_no)
        gaps = record_stage(conn, person, StageDecision(stage, outcome, _day(on, "on"), by, note,
                                                        aspects))  # fmt: skip
    console.print(f"{person.label()}: {stage} {outcome}; "
                  f"{'may hold a grid' if not gaps else 'missing ' + ', '.join(gaps)}")  # fmt: skip


@app.command()
def history(person_no: str) -> None:
    """A person's selection decisions and what still keeps them off a grid."""
    from geogrid.storage.selection import selection_gaps
    from geogrid.team.people import find_person
    from geogrid.team.selection import history as stages

    with engine().connect() as conn:
        person = find_person(conn, person_no)
        rows, gaps = stages(conn, person), selection_gaps(conn, person.id)
    table = Table(title=f"selection of {person.label()}", title_justify="left")
    for column in ("day", "stage", "outcome", "by", "note"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row.decided_on), row.stage, row.outcome, row.decided_by, row.note)
    console.print(table)
    console.print("may hold a grid" if not gaps else f"missing: {', '.join(gaps)}")


@app.command()
def assign(
    person_no: str, grid_code: str, role: str = typer.Option("grid_leader"),
    from_day: str | None = typer.Option(None, "--from", help="First day (default today)."),
) -> None:  # fmt: skip
    """Put a person on a grid: only who passed every stage of selection."""
    from geogrid.usecases.staffing import assign_person

    with engine().begin() as conn:
        made = assign_person(conn, person_no, grid_code, role, _day(from_day, "from"))
    console.print(f"{person_no} on {grid_code} as {role} (assignment {made})")


@app.command()
def leave(
    person_no: str, first: str, last: str, reason: str = typer.Option(..., help="Why."),
    approve: bool = typer.Option(False, help="Approve at once with the first cover proposed."),
    by: str = ACTOR,
) -> None:  # fmt: skip
    """Ask for leave (请假); --approve puts the first proposed cover on duty."""
    from geogrid.team.leave import approve_leave, request_leave
    from geogrid.team.people import find_person

    with engine().begin() as conn:
        person = find_person(conn, person_no)
        made = request_leave(conn, person, _day(first, "first"), _day(last, "last"), reason)
        covers = approve_leave(conn, made, by) if approve else []
    console.print(f"leave {made} of {person.label()}: {first}..{last}"
                  f"{', approved' if approve else ', waiting for the station'}")  # fmt: skip
    for cover in covers:
        console.print(f"  {cover.grid_code}: {cover.person_no} {cover.name} ({cover.why})")


@app.command("return")
def back(
    leave_id: int, on: str | None = typer.Option(None, help="Day back (default today).")
) -> None:
    """Back from leave (销假): on duty again from the day, the covers end."""
    from geogrid.team.leave import end_leave

    with engine().begin() as conn:
        end_leave(conn, leave_id, _day(on, "on"))
    console.print(f"leave {leave_id} ended")


@app.command()
def action(
    person_no: str, kind: str, reason: str = typer.Option(...),
    on: str | None = typer.Option(None, help="Day (default today)."),
    amount: float = typer.Option(0.0, help="Yuan: a reward added, a warning's deduction."),
    report: str | None = typer.Option(None, help="The report of a case reward (一案一奖)."),
    by: str = ACTOR,
) -> None:  # fmt: skip
    """Record a reward or sanction; a dismissal ends the person's assignments."""
    from geogrid.team.actions import ActionIn, record_action
    from geogrid.team.people import find_person

    with engine().begin() as conn:
        person = find_person(conn, person_no)
        done = record_action(conn, person, ActionIn(kind, _day(on, "on"), reason, by, amount,
                                                    report))  # fmt: skip
    console.print(f"{kind} of {person.label()} recorded ({done.id})")
    for code in done.ended_grids:
        console.print(f"  off grid {code}: it needs a new person (geogrid staff report)")


@app.command()
def assess(
    month: str, station: str | None = typer.Option(None, help="A station's code (default: "
                                                   "the county)."),
    confirm: bool = typer.Option(False, help="Confirm (lock) the station's month."),
    payroll: Path | None = typer.Option(None, help="Write the payroll sheets (XLSX, CSV) "
                                        "per town into this folder."),
    by: str = ACTOR,
) -> None:  # fmt: skip
    """The month's assessment and subsidy; --confirm locks a station's month."""
    lines = month_assessment(month, station, confirm, by)
    print_assessment(month, lines)
    if payroll is not None:
        print_payroll(write_payroll_sheets(month, lines, payroll))


def month_assessment(month: str, station: str | None, confirm: bool, by: str) -> list:
    """The month's lines (of a station, or the county), confirmed first if asked."""
    from geogrid.storage.places import station_id
    from geogrid.team.assessment import confirm_month, month_lines
    from geogrid.team.metrics import default_sources
    from geogrid.team.scoring import load_scheme

    scheme = load_scheme(settings().subsidy_file)
    with engine().begin() as conn:
        found = None if station is None else station_id(conn, station)
        if station is not None and found is None:
            raise InputError(f"no station {station!r}", field="station")
        sources = default_sources(found)
        if confirm:
            if found is None:
                raise InputError("--confirm needs --station: a station head confirms",
                                 field="station")  # fmt: skip
            return confirm_month(conn, month, found, by, scheme, sources)
        return month_lines(conn, month, scheme, sources, found)


def write_payroll_sheets(month: str, lines: list, out: Path) -> list[Path]:
    """The payroll sheets per town, with the phone plan of the settings."""
    from geogrid.team.payroll import PhonePlan, write_payroll

    return write_payroll(lines, month, PhonePlan.from_settings(settings()), out)


def print_assessment(month: str, lines: list, shown: int = 10) -> None:
    """Totals of the month and its first lines, "no data" where a metric has none."""
    total = sum(line.amount for line in lines)
    confirmed = sum(line.confirmed for line in lines)
    console.print(f"{month}: {len(lines):,} assistants, subsidy {total:,.2f} yuan, "
                  f"{confirmed:,} lines confirmed")  # fmt: skip
    if not lines:
        return
    table = Table(title=f"first {min(shown, len(lines))}", title_justify="left")
    names = list(lines[0].metrics)
    for column in ("person", "town", *names, "score", "rewards", "deductions", "subsidy"):
        table.add_column(column)
    for line in lines[:shown]:
        values = ["no data" if v is None else f"{v:g}" for v in line.metrics.values()]
        money = (line.score, line.rewards_yuan, line.deductions_yuan, line.amount)
        table.add_row(f"{line.person_no} {line.name}", line.town_name, *values,
                      *(str(value) for value in money))  # fmt: skip
    console.print(table)


def print_payroll(paths: list[Path]) -> None:
    """Where the payroll sheets were written."""
    console.print(f"payroll sheets: {len(paths)} files, e.g. {paths[0]}" if paths else
                  "payroll sheets: none (no assistant on duty that month)")  # fmt: skip


@app.command()
def figures(
    first: str, last: str,
    area: list[str] = typer.Option([], help="Grid code prefixes (a town's 9 digits, a "
                                   "community's 12); default: the county."),
    out: Path | None = typer.Option(None, help="Also print the table to this PDF."),
    title: str = typer.Option("一村一警务助理工作成效", help="The printed page's title."),
) -> None:  # fmt: skip
    """The source case's result table for a period (and area), optionally as a PDF page."""
    from geogrid.team.figures import source_figures

    with engine().connect() as conn:
        found = source_figures(conn, _day(first, "first"), _day(last, "last"),
                               tuple(area) or None)  # fmt: skip
    print_figures(found)
    if out is not None:
        from geogrid.prints.team_figures import write_figures_pdf

        console.print(f"written: {write_figures_pdf(found, title, out)}")


def print_figures(found) -> None:
    """The result table, one figure a line."""
    from geogrid.prints.team_figures import figure_rows

    for item, value in figure_rows(found):
        console.print(f"  {item}: {value}")
