"""The reports fixtures (the tiny county with categories, no reports left over), shared."""

from tests.reports.conftest import county_index, reports_engine  # noqa: F401
