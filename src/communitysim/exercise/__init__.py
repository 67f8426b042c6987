"""The crisis exercise's engine, one for the solo exercise (notebook 04) and the classroom (07, 08).

- :mod:`~communitysim.exercise.session`: ``CrisisSession``, the model run to the crisis, the clock,
  the CM's moves (logged, then applied), the comparisons with silence and the best matched response.
- :mod:`~communitysim.exercise.report`: the after-action reports' HTML (tables, the comparison, the
  objectives with SCCT's why, the document), their files (HTML and PDF).
"""

from communitysim.exercise.session import (
    BEST_DELAY_HOURS,
    COMPARED_KPIS,
    LEARNER_START,
    STRATEGIES,
    TONES,
    Applied,
    CrisisSession,
    ExerciseError,
)

__all__ = [
    "BEST_DELAY_HOURS",
    "COMPARED_KPIS",
    "LEARNER_START",
    "STRATEGIES",
    "TONES",
    "Applied",
    "CrisisSession",
    "ExerciseError",
]
