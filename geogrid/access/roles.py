"""Roles, what each may do, and the part of the county each may see.

| role | area (grids, people, lookup) | reports |
| --- | --- | --- |
| county_admin | the whole county | all |
| station | the communities of its jurisdiction (station_communities) | those of its jurisdiction |
| grid_staff | the grids the person holds today, with the units inside them | those assigned to the person as leader or officer |
| department | none | those routed to the department |

An object outside the caller's scope is reported as not found (404), so its existence does
not leak; an action the role may never take is forbidden (403). Personal details of
sensitive categories (population, rental housing ...) are shown to the station and the
county only.
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass

from geogrid.access.errors import Forbidden
from geogrid.reports.queries import ReportScope
from geogrid.vocabulary import API_ROLES

_ALL = frozenset(API_ROLES)
_FIELD = frozenset({"county_admin", "station", "grid_staff"})
_DESK = frozenset({"county_admin", "station"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "lookup": _FIELD,
    "grids.read": _FIELD,
    "grids.versions": _DESK,
    "grids.instruct": _DESK,
    "reports.create": _FIELD,
    "reports.read": _ALL,
    "reports.update": _ALL,  # status changes and notes, on reports in scope
    "reports.instruct": _DESK,
    "stats.read": _ALL,
    "assessment.read": _FIELD,
    "services.read": _ALL,
    "maps.county": frozenset({"county_admin"}),
    "maps.station": _DESK,
    # The team (issue 20): the desk manages its people; an assistant asks for leave, writes
    # to the station and appeals for themselves; the station head confirms the month.
    "team.read": _DESK,
    "team.manage": _DESK,
    "team.self": _FIELD,
    "team.confirm": _DESK,  # the county names the station it confirms for
    # The registry (README "The registry"): addresses and records in the caller's area;
    # residents, key persons and rentals in detail to the desks only; ID numbers in clear
    # to the county alone, when it asks.
    "registry.read": _FIELD,
    "registry.details": _DESK,
    "registry.propose": _FIELD,
    "registry.confirm": _FIELD,  # and only where `confirms` says
    "registry.reveal": frozenset({"county_admin"}),
    # Work logs, patrols and check-ins: grid staff write their own (a token must name a
    # person: patrols/scope.py `own_person`; the county's, like every action, may too);
    # the field roles read them in their area, and the coverage of their area's units.
    "patrols.write": frozenset({"county_admin", "grid_staff"}),
    "patrols.read": _FIELD,
    "coverage.read": _FIELD,
}
DETAIL_ROLES = frozenset({"county_admin", "station"})


@dataclass(frozen=True)
class Caller:
    """An authenticated API user, with the scope its role gives it."""

    id: int
    name: str
    role: str
    station_id: int | None = None
    station_code: str | None = None
    department_id: int | None = None
    department_code: str | None = None
    person_id: int | None = None
    person_no: str | None = None
    communities: frozenset[str] = frozenset()  # station: its jurisdiction (12-digit codes)
    grid_codes: tuple[str, ...] = ()  # grid staff: the grids the person holds today

    @property
    def sees_all(self) -> bool:
        """The county admin sees everything."""
        return self.role == "county_admin"

    @property
    def sees_details(self) -> bool:
        """Whether personal details of sensitive categories are shown to this caller."""
        return self.role in DETAIL_ROLES

    def may(self, action: str) -> bool:
        """Whether the role may take this action at all."""
        return self.role in PERMISSIONS[action]

    def require(self, action: str) -> None:
        """Raise Forbidden unless the role may take this action."""
        if not self.may(action):
            raise Forbidden(f"the role {self.role} may not use this ({action})")

    def covers(self, code: str | None) -> bool:
        """Whether a grid (by code, any level) lies in the caller's area."""
        if code is None:
            return False
        if self.sees_all:
            return True
        if self.role == "station":
            return code[:12] in self.communities
        if self.role == "grid_staff":
            # Codes nest by prefix: a grid leader's 15-digit code covers its units.
            return any(code.startswith(own) for own in self.grid_codes)
        return False

    def sees_person(self, person_id: int, community_code: str | None) -> bool:
        """Whether a person of the register is in the caller's scope: a station's people
        live in its communities; an assistant sees only themselves."""
        if self.role == "grid_staff":
            return person_id == self.person_id
        return self.covers(community_code)

    def confirms(self, community_code: str | None) -> bool:
        """Whether the caller may confirm (核实) registry changes in a community: the county,
        the community's station, or its community police officer (grid staff holding the
        community's own 12-digit code)."""
        if community_code is None:
            return self.sees_all
        if self.role == "grid_staff":
            return community_code[:12] in self.grid_codes
        return self.role in DETAIL_ROLES and self.covers(community_code)

    def area_codes(self) -> tuple[str, ...] | None:
        """Code prefixes of the caller's area; None means the whole county."""
        if self.sees_all:
            return None
        if self.role == "station":
            return tuple(sorted(self.communities))
        if self.role == "grid_staff":
            return self.grid_codes
        return ()

    def report_scope(self) -> ReportScope:
        """The reports this caller may read and change."""
        details = self.sees_details
        if self.sees_all:
            return ReportScope(everything=True, details=True)
        if self.role == "station":
            return ReportScope(station_id=self.station_id, details=details)
        if self.role == "department":
            return ReportScope(department_id=self.department_id, details=details)
        return ReportScope(person_id=self.person_id, details=details)

    def describe(self) -> str:
        """A short description for messages and the audit trail."""
        where = self.station_code or self.department_code or self.person_no
        return f"{self.name} ({self.role}{', ' + where if where else ''})"
