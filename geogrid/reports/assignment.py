"""Assign -> people on duty -> route: the part of the intake that reassign runs again.

Written once so that a report placed at intake and the same report moved after a redraw
get the same unit, the same people (on the report's own China day) and the same desk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geogrid.reports.assign import People, Placement, china_days, people_on_duty, place_points
from geogrid.reports.index import AssignmentIndex
from geogrid.reports.routing import CategoryTable, Routes, route_reports


@dataclass
class Assignment:
    """Where reports fell in one version, who was on duty there on their day, their desk."""

    index: AssignmentIndex
    placement: Placement
    people: People
    routes: Routes

    @classmethod
    def of(cls, index: AssignmentIndex, table: CategoryTable, category: np.ndarray,
           lon: np.ndarray, lat: np.ndarray, seconds: np.ndarray,
           tolerance_m: float) -> Assignment:  # fmt: skip
        """Assign WGS-84 points (category: positions in `table`; seconds: UTC epoch of each
        report) to the index's grids, staff them and route them."""
        placement = place_points(index, lon, lat, tolerance_m)
        people = people_on_duty(index, placement, china_days(seconds))
        routes = route_reports(table, category, placement, people)
        return cls(index, placement, people, routes)

    @property
    def assigned(self) -> np.ndarray:
        """True where a report fell in (or near enough to) a level-3 unit."""
        return self.placement.unit >= 0

    def columns(self) -> dict[str, np.ndarray]:
        """The report columns this decides (a negative id or NaN: null)."""
        index, placement, people, routes = self.index, self.placement, self.people, self.routes
        return {
            "version_id": np.where(self.assigned, index.version_id, -1),
            "level1_id": index.grid_ids(1, placement.community),
            "level2_id": index.grid_ids(2, placement.grid),
            "level3_id": index.grid_ids(3, placement.unit), "leader_id": people.leader,
            "officer_id": people.officer, "police_id": routes.police,
            "station_id": people.station, "department_id": routes.department,
            "route": routes.names(), "assignment_method": placement.method_names(),
            "distance_m": placement.distance_m,
        }  # fmt: skip
