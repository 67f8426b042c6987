"""Calibrate to your own community: read a page's export, fit the growth, save a scenario, forecast.

**Import** (:func:`read_export`): a CSV with a date and a followers column at least; optional
posts, reach, impressions, reactions, comments, shares and unfollows. Column names of the common
platform exports are recognised (``COLUMN_NAMES``); any other name is mapped explicitly
(``mapping={"followers": "Fans"}``). A bad file gets one line naming the file, the row and the
column; missing days are reported (``Export.gaps``), never filled.

**Fit** (:func:`fit_growth`): the Bass model with the page's starting point, ``F(0) = n0 / M``,

    dF/dt = (p + q F)(1 - F),   F(t) = (1 - c e^{-(p+q)t}) / (1 + (q/p) c e^{-(p+q)t}),
    c = (1 - F0) / (1 + (q/p) F0),

fitted by least squares on the cumulative adopters (followers, plus the cumulative unfollows
when the export has them: the model's churn then takes the unfollow rate). Uncertainty: a
residual bootstrap of the daily increments (Pearson residuals, so overdispersed real data widen
the intervals), refitted ``bootstrap`` times; percentile intervals. Goodness of fit: R² and RMSE.

**Scenario** (:meth:`GrowthFit.to_scenario`): ``p`` and ``q`` become the network-Bass rates on a
complete audience of ``M`` people (the model's analytic limit, ``bass_validation.yaml``), the
page's followers its first members; ``p`` is divided by the visibility the page's posting rhythm
adds (``feed.visibility_factor``), so that changing the rhythm in a forecast changes growth as the
model says it does.

Example:
    >>> import numpy as np, pandas as pd
    >>> days = np.arange(0, 120)
    >>> followers = bass_curve(days, p=0.002, q=0.06, market=5000, start=50)
    >>> fit = fit_growth(pd.DataFrame({"day": days, "followers": followers}), bootstrap=0)
    >>> round(fit.p, 4), round(fit.q, 3), round(fit.market)
    (0.002, 0.06, 5000)

The package, one concern a module: :mod:`~communitysim.calibration.export` (reading an export),
:mod:`~communitysim.calibration.growth` (the Bass fit and the posting rhythm's share of it),
:mod:`~communitysim.calibration.engagement` (level, decay and posting response, matched by the
model), :mod:`~communitysim.calibration.forecast` (scenario file, forecast, backtest, figure).
Every name is importable from the package, as before the split.
"""

from __future__ import annotations

from communitysim.calibration.engagement import (
    APPETITE_GRID,
    APPETITE_RUNS,
    HALF_LIFE_BOUNDS,
    LAG_DAYS,
    MATCH_ROUNDS,
    MATCH_TOLERANCE,
    MIN_DAILY_VARIATION,
    SHAPE_TOLERANCE,
    EngagementFit,
    ResponseEstimate,
    appetite_for,
    attention_ratio,
    estimate_response,
    fit_engagement,
    lag_weights,
)
from communitysim.calibration.export import (
    COLUMN_NAMES,
    COUNT_COLUMNS,
    LISTED_GAPS,
    MAX_COUNT,
    MAX_EXPORT_BYTES,
    PER_POST_COLUMNS,
    REBASE_SHARE,
    REBASE_TIMES,
    Export,
    describe_export,
    export_of_run,
    read_export,
)
from communitysim.calibration.forecast import (
    CALIBRATED_MARK,
    Backtest,
    backtest,
    forecast,
    growth_band,
    plot_fit,
    save_scenario,
    scenario_text,
)
from communitysim.calibration.growth import (
    ESTABLISHED_SHARE,
    MIN_RHYTHM_RATIO,
    NEUTRAL_RETENTION,
    RUN_AUDIENCE_LIMIT,
    RUN_MIN_MEMBERS,
    UNREAD_MARKET_MULTIPLE,
    UNREAD_SHARE,
    GrowthFit,
    bass_curve,
    bass_path,
    bass_regression,
    fit_growth,
    recent_rate,
    rhythm_spread,
    riccati_path,
)

__all__ = [
    "NEUTRAL_RETENTION",
    "APPETITE_GRID",
    "APPETITE_RUNS",
    "Backtest",
    "CALIBRATED_MARK",
    "COLUMN_NAMES",
    "COUNT_COLUMNS",
    "ESTABLISHED_SHARE",
    "EngagementFit",
    "Export",
    "GrowthFit",
    "HALF_LIFE_BOUNDS",
    "LAG_DAYS",
    "LISTED_GAPS",
    "MATCH_ROUNDS",
    "MATCH_TOLERANCE",
    "MAX_COUNT",
    "MAX_EXPORT_BYTES",
    "MIN_DAILY_VARIATION",
    "MIN_RHYTHM_RATIO",
    "PER_POST_COLUMNS",
    "REBASE_SHARE",
    "REBASE_TIMES",
    "RUN_AUDIENCE_LIMIT",
    "RUN_MIN_MEMBERS",
    "ResponseEstimate",
    "SHAPE_TOLERANCE",
    "UNREAD_MARKET_MULTIPLE",
    "UNREAD_SHARE",
    "appetite_for",
    "attention_ratio",
    "backtest",
    "bass_curve",
    "bass_path",
    "bass_regression",
    "describe_export",
    "estimate_response",
    "export_of_run",
    "fit_engagement",
    "fit_growth",
    "forecast",
    "growth_band",
    "lag_weights",
    "plot_fit",
    "read_export",
    "recent_rate",
    "rhythm_spread",
    "riccati_path",
    "save_scenario",
    "scenario_text",
]
