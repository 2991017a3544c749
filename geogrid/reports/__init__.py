"""Reports: intake, spatial assignment to grid and people, routing, lifecycle."""
