"""Shared test helpers."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def small(**fields):
    """A small, fast scenario dict (1000 people, 120 days) with fields merged in."""
    base = {
        "name": "small",
        "days": 120,
        "audience": {"size": 1000, "network": {"kind": "watts_strogatz", "mean_degree": 8}},
        "growth": {"external_rate_per_day": 0.0005, "word_of_mouth_rate_per_day": 0.05, "churn_rate_per_day": 0.002},
        "seeding": {"strategy": "close_circle", "size": 15},
    }
    for key, value in fields.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base
