"""Write examples/page_export.csv: a sample page export (Facebook Page Insights column names).

The history of a page simulated by the model itself: a complete audience of 8,000 people, Bass
rates p = 0.002 and q = 0.06 per day, churn 0.001 per day, 5 posts a week with their reach and
engagement (posting adds no visibility and shares no word-of-mouth, so growth stays Bass), over
150 days (2-hour steps, read once a day), with two days missing (an export gap, as real ones have).
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
TRUTH = {
    "strategy.posts_per_week": 5,
    "audience.size": 8000,
    "growth.external_rate_per_day": 0.002,
    "growth.word_of_mouth_rate_per_day": 0.06,
    "growth.churn_rate_per_day": 0.001,
    "days": 150,
}


def main() -> int:
    """Simulate, then write the export."""
    result = cs.run(ROOT / "scenarios" / "bass_validation.yaml", seed=11, overrides={**TRUTH, "step_hours": 2})
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
