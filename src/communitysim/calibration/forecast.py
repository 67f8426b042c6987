"""From a fit to a scenario file and a forecast: the scenario's text, the simulated band, the backtest, the figure."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitysim.calibration.engagement import EngagementFit
from communitysim.calibration.export import Export
from communitysim.calibration.growth import GrowthFit, _scaled_down, fit_growth, riccati_path
from communitysim.messages import number, percent, t
from communitysim.scenario import ScenarioError, frame

# --- the scenario and the forecast --------------------------------------------------------------


#: The first line of a scenario file the calibration wrote (the lab may replace only those).
CALIBRATED_MARK = "# written by communitysim calibrate"


def scenario_text(fields: dict[str, Any]) -> str:
    """Validate scenario fields and give them as the YAML text ``save_scenario`` writes.

    Raises:
        ScenarioError: fields the tools would refuse (nothing is written).
    """
    import yaml

    from communitysim.scenario import load_scenario

    load_scenario(fields)  # never write a scenario the tools would refuse
    return CALIBRATED_MARK + "\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)


def save_scenario(fields: dict[str, Any], path: str | Path) -> Path:
    """Validate scenario fields and write them as YAML, atomically (the file every tool reads)."""
    from communitysim.files import atomic_write_bytes

    text = scenario_text(fields)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def forecast(
    fit: GrowthFit,
    days: int = 90,
    strategies: dict[str, dict[str, Any]] | None = None,
    replications: int = 20,
    seed: int = 1,
    level: float = 0.9,
) -> pd.DataFrame:
    """Members over the next ``days`` under the current strategy and alternatives, with bands.

    Each replication draws its growth parameters from the bootstrap (parameter uncertainty) and
    runs the model with its own seed (chance), so the band holds both. An audience beyond
    ``RUN_AUDIENCE_LIMIT`` people is run scaled down (see ``_scaled_down``).

    Args:
        fit: the growth fit.
        days: the horizon from the export's last day.
        strategies: name -> overrides (default: the current strategy only).
        replications: runs per strategy.
        seed: the master seed (replication seeds spawned as in sweeps).
        level: the central band's level (0.9: the 5th to the 95th percentile).

    Returns:
        One row per strategy and day: ``strategy``, ``day``, ``low``, ``median``, ``high``.
    """
    import communitysim as cs
    from communitysim.experiments.sweeps import replication_seeds
    from communitysim.scenario import MAX_AUDIENCE

    strategies = strategies or {"current": {}}
    seeds = replication_seeds(seed, replications)
    ceiling = fit.market if fit.market_floor is not None else float(MAX_AUDIENCE)
    names = ("p", "q", "market") if fit.visibility_share is None else ("p", "q", "market", "base_p", "visibility_share")
    draws = fit.draws if len(fit.draws) else np.array([[getattr(fit, name) for name in names]])
    rows = []
    for name, overrides in strategies.items():
        curves = []
        for replication, run_seed in enumerate(seeds):
            drawn = dict(zip(names, map(float, draws[replication % len(draws)]), strict=True))
            drawn["market"] = max(drawn["market"], float(fit.observed[-1]))
            if drawn["market"] > ceiling:  # the draw's growth, a, b = pM, q - p kept, under the scenario's ceiling
                a, b, _ = fit.coefficients[replication % len(fit.coefficients)]
                drawn.update(market=ceiling, p=a / ceiling, q=max(b + a / ceiling, 0.0))
            varied = dataclasses.replace(fit, **drawn)
            fields = varied.to_scenario()
            fields["days"] = days
            followers = fields["seeding"]["size"]
            factor = _scaled_down(fields)
            result = cs.run(fields, seed=run_seed, overrides=overrides)
            members = result.timeseries["members"].to_numpy(dtype=float) * factor
            members[0] = followers  # day 0 is the export's last day: the page's followers
            curves.append(members)
        block = np.vstack(curves)
        tail = (1 - level) / 2
        low, median, high = np.quantile(block, [tail, 0.5, 1 - tail], axis=0)
        rows.append(pd.DataFrame({"strategy": name, "day": np.arange(block.shape[1], dtype=float), "low": low,
                                  "median": median, "high": high}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def growth_band(fit: GrowthFit, days: int | np.ndarray, level: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """The followers ahead from the fitted curves alone (no model run): a fast band for any audience.

    Each bootstrap draw's Bass curve (:attr:`GrowthFit.coefficients`) continues from the export's last
    count (the fit's uncertainty); day-to-day chance is added as in the export: normal joins around
    each day's expected joins with the variance ``dispersion x joins`` (the Pearson residuals' spread).
    Unfollows, when the export has them, go on at the fitted churn.

    Args:
        fit: the growth fit.
        days: the horizon in days from the export's last day, or the days ahead wanted (floats).
        level: the central band's level (0.95: the 2.5th to the 97.5th percentile).
        seed: the chance's seed.

    Returns:
        One row per day ahead: ``day``, ``low``, ``median``, ``high``.
    """
    ahead = np.arange(int(days) + 1, dtype=float) if np.ndim(days) == 0 else np.asarray(days, dtype=float)
    grid = np.arange(math.ceil(ahead.max()) + 1, dtype=float)
    rng = np.random.default_rng(seed)
    last = float(fit.observed[-1])
    lost = float(fit.unfollowed[-1]) if fit.unfollowed is not None else 0.0
    followers = last - lost
    curves = []
    for draw in range(max(len(fit.coefficients), 100)):
        a, b, c = fit.coefficients[draw % len(fit.coefficients)]
        path = riccati_path(grid, last, a, b, c)
        joins = np.maximum(np.diff(path), 0.0)
        chance = rng.standard_normal(joins.size) * np.sqrt(max(fit.dispersion, 0.0) * joins)
        path = last + np.concatenate([[0.0], np.cumsum(joins + chance)])
        churned = (fit.churn_rate_per_day or 0.0) * followers * grid
        curves.append(np.interp(ahead, grid, path - lost - churned))
    tail = (1 - level) / 2
    low, median, high = np.quantile(np.vstack(curves), [tail, 0.5, 1 - tail], axis=0)
    return pd.DataFrame({"day": ahead, "low": low, "median": median, "high": high})


@dataclass
class Backtest:
    """A calibration checked on the dates it did not see: fitted on the first dates, forecast on the rest.

    Attributes:
        fit: the growth fit on the first dates.
        days, actual: the held-out days (from the first date) and their follower counts.
        band: :func:`growth_band` at the held-out days (``day`` counted from the last fitted date).
        level: the band's level; ``fitted_until``: the last fitted date's day.
    """

    fit: GrowthFit
    days: np.ndarray
    actual: np.ndarray
    band: pd.DataFrame
    level: float
    fitted_until: float

    @property
    def final_error(self) -> float:
        """(forecast median - actual) / actual on the last date."""
        return float(self.band["median"].iloc[-1] / self.actual[-1] - 1)

    @property
    def mape(self) -> float:
        """Mean absolute percentage error of the median over the held-out dates."""
        return float(np.mean(np.abs(self.band["median"].to_numpy() / self.actual - 1)))

    @property
    def inside(self) -> np.ndarray:
        """For each held-out date: is the actual count inside the band?"""
        return (self.band["low"].to_numpy() <= self.actual) & (self.actual <= self.band["high"].to_numpy())

    def __str__(self) -> str:
        return t("cal.backtest", fitted=len(self.fit.days), held=len(self.days),
                 days=number(self.days[-1] - self.fitted_until, None),
                 actual=number(self.actual[-1]), median=number(self.band["median"].iloc[-1]),
                 level=percent(self.level), low=number(self.band["low"].iloc[-1]),
                 high=number(self.band["high"].iloc[-1]), error=percent(self.final_error, 1),
                 mape=percent(self.mape, 1), inside=number(int(self.inside.sum())),
                 final=t("cal.backtest.in") if self.inside[-1] else t("cal.backtest.out"))  # fmt: skip


def backtest(
    data: pd.DataFrame | Export, holdout: float = 0.25, bootstrap: int = 200, seed: int = 1, level: float = 0.95
) -> Backtest:
    """Fit on the first ``1 - holdout`` of the dates with a follower count, forecast the rest with its band.

    Example:
        >>> days = np.arange(0, 200, 3)
        >>> table = pd.DataFrame({"day": days, "followers": 40000 + 300 * days})
        >>> check = backtest(table, bootstrap=20)
        >>> bool(abs(check.final_error) < 0.001), bool(check.mape < 0.001)  # a straight line is forecast straight
        (True, True)

    Raises:
        ScenarioError: ``holdout`` not within (0, 1), or too few dates on either side.
    """
    table = data.data if isinstance(data, Export) else data
    source = data.source if isinstance(data, Export) else "data"
    if not 0 < holdout < 1:
        raise ScenarioError(frame("--holdout", t("cal.err.holdout", value=holdout)))
    counted = table[table["followers"].notna()].reset_index(drop=True)
    cut = round(len(counted) * (1 - holdout))
    if cut < 3 or cut >= len(counted):
        raise ScenarioError(frame(source, t("cal.err.holdout_rows", rows=len(counted))))
    first, rest = counted.iloc[:cut], counted.iloc[cut:]
    fit = fit_growth(Export(first, source) if isinstance(data, Export) else first, bootstrap=bootstrap, seed=seed)
    until = float(first["day"].iloc[-1])
    band = growth_band(fit, rest["day"].to_numpy(dtype=float) - until, level=level, seed=seed)
    return Backtest(fit, rest["day"].to_numpy(dtype=float), rest["followers"].to_numpy(dtype=float), band, level,
                    until)  # fmt: skip


def plot_fit(fit: GrowthFit, ahead: pd.DataFrame | None = None, engagement: EngagementFit | None = None):
    """The followers: the export, the fitted curve over it, and the forecast bands after it.

    With ``engagement``, a second panel: the export's daily engagements and the calibrated runs' mean
    over the same days (the engagement fit's goodness of fit).
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4 if engagement is None else 6.5), layout="constrained")
    axes = figure.subplots(1 if engagement is None else 2, 1, squeeze=False)[:, 0]
    growth = axes[0]
    lost = fit.unfollowed if fit.unfollowed is not None else 0.0
    growth.plot(fit.days, fit.followers, ".", color="#444", markersize=3, label=t("plot.fit.export"))
    growth.plot(fit.days, fit.fitted - lost, color="C0", label=t("plot.fit.fit", r2=number(fit.r2, 3)))
    if ahead is not None:
        offset = float(fit.days[-1])
        for index, (name, block) in enumerate(ahead.groupby("strategy", sort=False)):
            x = offset + block["day"].to_numpy()
            colour = f"C{index + 1}"
            growth.fill_between(x, block["low"], block["high"], color=colour, alpha=0.2)
            growth.plot(x, block["median"], color=colour, label=t("plot.fit.forecast", strategy=name))
    growth.set(xlabel=t("plot.day"), ylabel=t("plot.fit.followers"), title=t("plot.fit.title"))
    growth.legend(fontsize="small")
    if engagement is not None and len(engagement.days):
        panel = axes[1]
        panel.plot(engagement.days, engagement.observed, ".", color="#444", markersize=3, label=t("plot.fit.export"))
        panel.plot(engagement.days, engagement.fitted, color="C0",
                   label=t("plot.fit.engagement_model", r2=number(engagement.r2, 2)))  # fmt: skip
        panel.set(xlabel=t("plot.day"), ylabel=t("plot.fit.engagements"), title=t("plot.fit.engagement_title"))
        panel.legend(fontsize="small")
    return figure
