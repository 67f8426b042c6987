"""Classroom mode: crisis-exercise sessions with teams, a facilitator, a persistent log and reports.

- :mod:`~communitysim.classroom.store`: the SQLite database (sessions, teams, injects, releases,
  team logs), WAL, parameterised SQL, versioned schema.
- :mod:`~communitysim.classroom.exercise`: master events lists, a team's exercise kept in its log
  (``TeamRun``, a ``communitysim.exercise.CrisisSession``), the team and class reports.
"""

from communitysim.classroom.exercise import TeamRun, class_report_html, create_session, team_report_html
from communitysim.classroom.store import ClassroomError, Store, default_path

__all__ = [
    "ClassroomError",
    "Store",
    "TeamRun",
    "class_report_html",
    "create_session",
    "default_path",
    "team_report_html",
]
