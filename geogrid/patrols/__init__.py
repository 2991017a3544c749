"""The field staff's own work (issue 18): daily work logs, patrols with their tracks,
check-ins at places, and the patrol coverage of units that the assessment counts."""
