"""Write examples/page_export.csv: a sample page export (Facebook Page Insights column names).

The history of a page simulated by the model itself: a complete audience of 8,000 people, Bass
rates p = 0.002 and q = 0.06 per day, churn 0.001 per day, with their reach and engagement
(posting adds no visibility and shares no word-of-mouth, so growth stays Bass), over 150 days in
daily steps (as the fitted scenario runs; a day's reach counts each person once), with two days
missing (an export gap, as real ones have). The page posts as a real one does: a random number of
posts a day (Poisson) at random hours, about 3 a week for 50 days, then 10 a week (a campaign),
then 5; a post's engagement half-life is 4 hours and the audience's appetite 1 post a day, so the
calibration can read the decay and the posting response.
``communitysim calibrate examples/page_export.csv`` fits it back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import communitysim as cs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "page_export.csv"
#: Posts per week in each 50-day phase.
PHASES = (3, 10, 5)
TRUTH = {
    "strategy.posts_per_week": PHASES[0],
    "strategy.schedule": "calendar",
    "engagement.post_half_life_hours": 4.0,
    "feed.appetite_posts_per_day": 1.0,
    "feed.visibility_from_posts_share": 0.0,
    "audience.size": 8000,
    "growth.external_rate_per_day": 0.002,
    "growth.word_of_mouth_rate_per_day": 0.06,
    "growth.churn_rate_per_day": 0.001,
    "days": 150,
}


def main() -> int:
    """Simulate, then write the export."""
    rng = np.random.default_rng(2026)  # the calendar's own generator
    calendar = []
    for day in range(TRUTH["days"]):
        count = rng.poisson(PHASES[min(day // 50, len(PHASES) - 1)] / 7)
        calendar.extend(sorted(day + rng.random(count)))
    overrides = {**TRUTH, "strategy.calendar_days": calendar, "step_hours": 24}
    result = cs.run(ROOT / "scenarios" / "bass_validation.yaml", seed=11, overrides=overrides)
    steps = result.timeseries
    whole_day = steps["day"].round(3) % 1 == 0
    day = np.ceil(steps["day"].round(3)).astype(int)
    ts = steps[whole_day].assign(whole=day[whole_day]).drop_duplicates("whole", keep="last").reset_index(drop=True)
    ts["churned"] = steps.groupby(day)["churned"].sum().reindex(range(len(ts)), fill_value=0).to_numpy()
    dates = pd.date_range("2026-03-01", periods=len(ts), freq="D")
    daily = steps.groupby(day)[["posts", "reach", "engagements", "comments", "shares"]].sum()
    daily = daily.reindex(range(len(ts)), fill_value=0)
    table = pd.DataFrame(
        {
            "Date": dates.strftime("%Y-%m-%d"),
            "Lifetime Total Likes": ts["members"].astype(int),
            "Daily Unlikes": ts["churned"].astype(int),
            "Posts": daily["posts"].round().astype(int).to_numpy(),
            "Daily Total Reach": daily["reach"].round().astype(int).to_numpy(),
            "Reactions": (daily["engagements"] - daily["comments"] - daily["shares"]).round().astype(int).to_numpy(),
            "Comments": daily["comments"].round().astype(int).to_numpy(),
            "Shares": daily["shares"].round().astype(int).to_numpy(),
        }
    )
    table = table.drop(index=[40, 41])  # two days the platform did not export
    OUT.parent.mkdir(exist_ok=True)
    table.to_csv(OUT, index=False)
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
