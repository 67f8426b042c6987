"""Participation: each person's comments over the last 30 days, for lurkers, contributors and creators.

A ring of day buckets (one row per day of the window) and their running sum: the buckets of the
days that have just begun are emptied as the clock moves (``roll``). A member with no comment in the
window is a lurker, one with at least ``engagement.creator_comments_30d`` a creator, the others
contributors (90-9-1 participation, DOMAIN.md s.3; ``kpis.COLUMNS`` reads the counts).

Example:
    >>> import numpy as np
    >>> window = RecentComments(4)
    >>> window.add(np.array([1, 2]), np.array([1, 5]))
    >>> window.levels(np.arange(4), creator_comments=5)
    {'lurkers': 2, 'contributors': 1, 'creators': 1}
"""

from __future__ import annotations

import numpy as np

__all__ = ["PARTICIPATION_DAYS", "RecentComments"]

#: Days of comments counted for participation (lurkers, contributors, creators).
PARTICIPATION_DAYS = 30


class RecentComments:
    """Each person's comments over the last ``days`` days.

    Attributes:
        per_person: comments of each person in the window.
    """

    def __init__(self, n_people: int, days: int = PARTICIPATION_DAYS):
        self.days = days
        self._buckets = np.zeros((days, n_people), dtype=np.int16)  # comments per day of the ring, per person
        self.per_person = np.zeros(n_people, dtype=np.int32)
        self._day = 0  # the day the current bucket holds
        self._used: set[int] = set()  # buckets holding comments

    @property
    def empty(self) -> bool:
        """True when nobody commented in the window."""
        return not self._used

    def roll(self, day: float) -> None:
        """Move the window to ``day``: empty the buckets of the days that have just begun."""
        today = int(np.floor(day + 1e-9))
        while self._day < today:
            self._day += 1
            index = self._day % self.days
            if index in self._used:
                bucket = self._buckets[index]
                self.per_person -= bucket
                bucket[:] = 0
                self._used.discard(index)

    def add(self, ids: np.ndarray, comments: np.ndarray) -> None:
        """People ``ids`` wrote ``comments`` each today."""
        index = self._day % self.days
        self._buckets[index][ids] += comments.astype(np.int16)  # the row, then the ids: 1-d indexing is faster
        self._used.add(index)
        self.per_person[ids] += comments

    def levels(self, members: np.ndarray, creator_comments: int) -> dict[str, int]:
        """``members`` by comments in the window: lurkers (0), contributors, creators (``creator_comments`` or more)."""
        comments = self.per_person[members]
        creators = int(np.count_nonzero(comments >= creator_comments))
        lurkers = int(comments.size - np.count_nonzero(comments))
        return {"lurkers": lurkers, "contributors": comments.size - lurkers - creators, "creators": creators}
