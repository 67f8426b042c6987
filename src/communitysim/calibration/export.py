"""Reading a page's export: columns recognised or mapped, one line per mistake, gaps reported, never filled."""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitysim.files import InputError, read_bounded
from communitysim.messages import number, t
from communitysim.scenario import ScenarioError, frame

#: Column names recognised in platform exports (lower-cased, spaces and punctuation kept).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "date (utc)", "jour", "publish time", "post date", "created time", "date de publication"),
    "followers": ("followers", "total followers", "lifetime total likes", "page likes", "total page likes",
                  "follower count", "abonnés", "fans"),
    "posts": ("posts", "posts published", "number of posts", "publications"),
    "reach": ("reach", "daily total reach", "accounts reached", "portée"),
    "impressions": ("impressions", "daily total impressions", "impressions (total)", "impressions (organic)"),
    "reactions": ("reactions", "likes", "reactions (total)", "réactions"),
    "comments": ("comments", "comments (total)", "replies", "commentaires"),
    "shares": ("shares", "reposts", "reposts (total)", "retweets", "partages"),
    "unfollows": ("unfollows", "daily unlikes", "unlikes", "lost followers", "désabonnements"),
}  # fmt: skip
COUNT_COLUMNS = tuple(name for name in COLUMN_NAMES if name != "date")
#: Largest export read (bytes): ten years of daily rows are under 1 MB.
MAX_EXPORT_BYTES = 20_000_000
#: Largest count a cell may hold: above every platform's whole audience (a typo or an overflow).
MAX_COUNT = 1e12


@dataclass
class Export:
    """A page's history: one row per day present (``day`` counted from the first date), and its gaps.

    Attributes:
        data: columns ``date``, ``day`` and the counts found (``followers`` always).
        source: the file, for messages.
        gaps: (first missing date, number of missing days) for every hole in the dates.

    Engagement, reach and impressions of a per-post export are the posts' lifetime figures, counted
    on the day each post was published (what the platforms' post-level exports give).
    """

    data: pd.DataFrame
    source: str
    gaps: list[tuple[str, int]] = field(default_factory=list)
    #: posts aggregated when the file has one row per post (0: one row per day)
    per_post: int = 0
    #: (date, jump) of each re-based count: a sudden drop far beyond the page's small drops, the earlier
    #: counts shifted by as much (platforms re-base counts, e.g. from page likes to followers)
    rebased: list[tuple[str, float]] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days from the first to the last date."""
        return int(self.data["day"].iloc[-1])


#: Column names that mark a per-post export (one row per post): its rows are summed by day.
PER_POST_COLUMNS = ("post id", "post type", "type", "permalink", "post link", "link", "media type", "post")
#: A drop is a re-based count, not people leaving, beyond this share of the count and this many
#: times the page's median change per day.
REBASE_SHARE = 0.03
REBASE_TIMES = 10.0


def read_export(path: str | Path, mapping: dict[str, str] | None = None) -> Export:
    """Read a platform export (CSV), check it and report its gaps.

    Daily exports have one row per date, on every day or only on some (posting days, weeks, months,
    years): the dates present are kept with their spacing; an empty count is a missing value. A
    per-post export (a column of ``PER_POST_COLUMNS``; dates may repeat and carry hours) is summed by
    day: the day's last follower count, its posts, and its posts' reach and engagement.

    Args:
        path: the CSV file.
        mapping: our column name -> the file's column name, for names not recognised.

    Raises:
        ScenarioError: a missing file or column, an unreadable date, a negative or non-numeric
            count, a repeated date (one line naming the file, the row and the column).
    """
    path = Path(path)
    name = str(path)
    if not os.path.exists(path):
        raise ScenarioError(frame(name, t("cal.err.no_file")))
    try:  # bounded: a page's daily export is a few kB a year; a FIFO or a folder is refused unopened
        data = read_bounded(path, MAX_EXPORT_BYTES)
    except InputError as exc:
        raise ScenarioError(frame(name, str(exc))) from None
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(frame(name, t("cal.err.unreadable", detail=" ".join(str(exc).split())[:120]))) from None
    columns = _columns(raw, name, mapping or {})
    rows = []
    for index, record in raw.iterrows():
        row_number = int(index) + 2  # the header is row 1
        text = str(record[columns["date"]]).strip()
        date = pd.to_datetime(text, errors="coerce", dayfirst=_dayfirst(text))
        if not pd.isna(date) and date.tzinfo is not None:  # a time zone: the day where it was written
            date = date.tz_localize(None)
        if pd.isna(date) or not 1800 <= date.year <= 2200:  # "-1" is the year -1; Bass 1969 starts in 1948
            raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=columns["date"]),
                                      t("cal.err.date", text=repr(text[:40]))))  # fmt: skip
        row: dict[str, Any] = {"date": date.normalize(), "when": date}
        for ours, theirs in columns.items():
            if ours == "date":
                continue
            cell = str(record[theirs]).strip().replace(",", "").replace(" ", "")
            if cell == "":
                row[ours] = math.nan
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count", text=repr(cell)))) from None  # fmt: skip
            if not math.isfinite(value) or value < 0:
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count_negative", text=repr(cell[:40]))))  # fmt: skip
            if value > MAX_COUNT:  # a typo or an overflow: no page has a trillion followers
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count_large", text=repr(cell[:40]), limit="10¹²")))  # fmt: skip
            row[ours] = value
        rows.append(row)
    if len(rows) < 3:
        raise ScenarioError(frame(name, t("cal.err.short", rows=len(rows))))
    data = pd.DataFrame(rows).sort_values("when", kind="stable").reset_index(drop=True)
    per_post = 0
    if _per_post(raw, mapping or {}):
        per_post = len(data)
        data = _by_day(data)
    data = data.drop(columns="when")
    repeated = data["date"].duplicated()
    if repeated.any():
        when = data.loc[repeated.idxmax(), "date"].date()
        raise ScenarioError(frame(name, t("cal.err.column", column=columns["date"]), t("cal.err.twice", date=when)))
    data.insert(1, "day", (data["date"] - data["date"].iloc[0]).dt.days.astype(int))
    steps = data["day"].diff().fillna(1).astype(int)
    gaps = [(str((data.loc[i, "date"] - pd.Timedelta(days=int(s) - 1)).date()), int(s) - 1)
            for i, s in steps.items() if s > 1]  # fmt: skip
    return Export(data, name, gaps, per_post, _rebase(data))


#: Beyond this many gaps, the export's dates are summed up in one line rather than listed.
LISTED_GAPS = 5


def describe_export(export: Export) -> list[str]:
    """What was read beyond the counts, one line each: per-post rows summed, gaps or irregular dates, re-basings."""
    lines = []
    if export.per_post:
        lines.append(t("cal.cli.per_post", posts=number(export.per_post), days=number(len(export.data))))
    if len(export.gaps) > LISTED_GAPS:
        spacing = np.diff(export.data["day"].to_numpy(dtype=float))
        lines.append(t("cal.cli.irregular", rows=number(len(export.data)), days=number(export.days),
                       spacing=number(float(np.median(spacing)), None),
                       longest=number(float(spacing.max()))))  # fmt: skip
    else:
        lines.extend(t("cal.cli.gap", days=missing, first=first) for first, missing in export.gaps)
    lines.extend(t("cal.cli.rebased", date=date, jump=number(jump, sign=True)) for date, jump in export.rebased)
    return lines


def _per_post(raw: pd.DataFrame, mapping: dict[str, str]) -> bool:
    lowered = {str(c).strip().lower() for c in raw.columns} - {c.strip().lower() for c in mapping.values()}
    return any(name in lowered for name in PER_POST_COLUMNS)


def _by_day(posts: pd.DataFrame) -> pd.DataFrame:
    """A per-post table summed by day: the day's last follower count, its posts and the posts' figures."""
    days = posts.groupby("date", sort=True)
    summed = [c for c in posts.columns if c not in ("date", "when", "followers", "posts")]
    table = days[summed].sum(min_count=1) if summed else pd.DataFrame(index=days.size().index)
    table.insert(0, "followers", days["followers"].last())  # the last count present on the day
    table.insert(1, "posts", days.size().astype(float))
    return table.reset_index().assign(when=lambda d: d["date"])


def _rebase(data: pd.DataFrame) -> list[tuple[str, float]]:
    """Find re-based counts and shift the earlier counts by the jump (in place); their dates and jumps."""
    present = data.index[data["followers"].notna()]
    values = data.loc[present, "followers"].to_numpy(dtype=float)
    spacing = np.diff(data.loc[present, "day"].to_numpy(dtype=float))
    if values.size < 3:
        return []
    per_day = np.diff(values) / spacing
    typical = float(np.median(per_day))
    spread = float(np.median(np.abs(per_day)))
    found = []
    for i in np.flatnonzero(per_day < 0):
        jump = (values[i + 1] - values[i]) - typical * spacing[i]  # beyond the usual growth of the interval
        earlier = present[: i + 1]
        if -jump > max(REBASE_SHARE * values[i], REBASE_TIMES * spread * spacing[i]) and (
            float(data.loc[earlier, "followers"].min()) + jump >= 0  # a re-base never makes a count negative
        ):
            data.loc[earlier, "followers"] = data.loc[earlier, "followers"] + jump
            found.append((str(data.loc[present[i + 1], "date"].date()), float(jump)))
    return found


def export_of_run(timeseries: pd.DataFrame, start: str = "2026-01-01") -> Export:
    """The export a page simulated in daily steps would give (its days after day 0): to test a calibration.

    Columns followers, posts, reach, reactions, comments, shares, one row per day from ``start``.
    """
    ts = timeseries.iloc[1:]
    data = pd.DataFrame({
        "date": pd.date_range(start, periods=len(ts)), "day": np.arange(len(ts)),
        "followers": ts["members"].to_numpy(), "posts": ts["posts"].to_numpy(), "reach": ts["reach"].to_numpy(),
        "reactions": (ts["engagements"] - ts["comments"] - ts["shares"]).to_numpy(),
        "comments": ts["comments"].to_numpy(), "shares": ts["shares"].to_numpy(),
    })  # fmt: skip
    return Export(data, "simulated")


def _dayfirst(text: str) -> bool:
    """European dates (25/11/2026) are day first; ISO dates are not."""
    return "/" in text and not text[:4].isdigit()


def _columns(raw: pd.DataFrame, name: str, mapping: dict[str, str]) -> dict[str, str]:
    unknown = set(mapping) - set(COLUMN_NAMES)
    if unknown:
        raise ScenarioError(frame("mapping", t("cal.err.mapping", field=repr(sorted(unknown)[0]),
                                                 fields=", ".join(COLUMN_NAMES))))  # fmt: skip
    lowered = {str(c).strip().lower(): c for c in raw.columns}
    found: dict[str, str] = {}
    for ours, names in COLUMN_NAMES.items():
        if ours in mapping:
            if mapping[ours] not in raw.columns:
                raise ScenarioError(frame(name, t("cal.err.mapped", column=repr(mapping[ours]), field=ours,
                                                  columns=", ".join(raw.columns))))  # fmt: skip
            found[ours] = mapping[ours]
            continue
        match = next((lowered[n] for n in names if n in lowered), None)
        if match is not None:
            found[ours] = match
    for required in ("date", "followers"):
        if required not in found:
            names = ", ".join(COLUMN_NAMES[required])
            raise ScenarioError(frame(name, t("cal.err.missing", field=required, names=names,
                                              columns=", ".join(map(str, raw.columns)))))  # fmt: skip
    return found
