"""One module per mechanism: plain functions over the model's arrays.

- ``posting``: the community manager's publishing cadence.
- ``seeding``: the first members and launch readiness.
- ``growth``: joining by external visibility and word-of-mouth (network Bass).
- ``norm``: the community's activity norm, set by its first members.
- ``churn``: members leaving.

The join and churn steps run as compiled loops beside their mechanisms (``growth_kernel``,
``churn_kernel``: numba, imported on the first step and cached on disk), at every audience size:
the only implementation of those rules (tests/test_kernels.py keeps the numpy expressions they
replaced as its oracle).
"""

__all__: list[str] = []
