"""One module per mechanism: plain functions over the model's arrays.

- ``posting``: the community manager's publishing cadence.
- ``seeding``: the first members and launch readiness.
- ``growth``: joining by external visibility and word-of-mouth (network Bass).
- ``norm``: the community's activity norm, set by its first members.
- ``churn``: members leaving.

The join and churn steps run as compiled loops (``growth_kernel``, ``churn_kernel``: numba, the
same numbers as their numpy expressions) in audiences of at least ``COMPILED_FROM_PEOPLE``: numba's
import and the cached kernels' loading cost about 0.5 s of CPU once per process, more than the
loops save in a run of 10^5 people (1.5-5 ns per person-step, measured), less than in one of 10^6.
"""

__all__ = ["COMPILED_FROM_PEOPLE", "compiled_for"]

#: Audience size from which the join and churn steps run compiled (None: never).
COMPILED_FROM_PEOPLE: int | None = 200_000


def compiled_for(n_people: int) -> bool:
    """True when an audience of ``n_people`` runs the compiled steps (``COMPILED_FROM_PEOPLE``).

    Example:
        >>> compiled_for(2_000), compiled_for(1_000_000)
        (False, True)
    """
    return COMPILED_FROM_PEOPLE is not None and n_people >= COMPILED_FROM_PEOPLE
