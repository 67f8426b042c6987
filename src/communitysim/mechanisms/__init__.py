"""One module per mechanism: plain functions over the model's arrays.

- ``posting``: the community manager's publishing cadence.
- ``seeding``: the first members and launch readiness.
- ``growth``: joining by external visibility and word-of-mouth (network Bass).
- ``norm``: the community's activity norm, set by its first members.
- ``churn``: members leaving.
"""

__all__: list[str] = []
