"""The strategy-experiments app, driven programmatically."""

from communitysim.ui.experiments_lab import ExperimentsLab, lever_values

TINY = {"audience.size": 300, "days": 20, "objectives": []}


def small_app(**kwargs):
    app = ExperimentsLab(overrides=TINY, backend="serial", progress=False, **kwargs)
    app.points.value = 3
    app.replications.value = 3
    return app


def test_running_shows_the_ci_plot_the_table_and_a_recommendation():
    app = small_app()
    assert app.table is None and "nothing has run yet" in app.recommendation.value  # no sweep on opening
    app.range.value = (1, 21)
    app.kpi.value = "engagements"
    app.run()
    assert list(app.table.summary("engagements")["strategy.posts_per_week"]) == [1, 11, 21]
    best = app.table.best("engagements")
    assert f"Posts per week = {best.point['strategy.posts_per_week']}" in app.recommendation.value
    assert app.summary.value.count("<tr>") == 1 + 3
    assert len(app.figure.axes[0].collections) == 1  # the confidence band
    app.kpi.value = "churn_share"  # another KPI redraws from the same runs
    assert "lowest mean Members who left, per person who joined" in app.recommendation.value
    assert "%" in app.summary.value  # a rate, shown as a percentage


def test_departures_are_ranked_as_a_rate_not_a_count():
    """A rhythm whose community barely grows loses few members in number: the rate does not crown it for that.

    Runs: classroom_bakery at 0 and 14 posts a week, 3 seeds (master seed 1), the app's own sweep.
    """
    app = ExperimentsLab(overrides={"days": 120, "objectives": []}, backend="serial", progress=False)
    app.points.value, app.replications.value, app.range.value = 2, 3, (0, 14)
    app.run()
    runs = app.table.runs
    assert (runs["churn_share"] == runs["churned"] / runs["new_members"]).all()
    app.kpi.value = "churn_share"
    share = app.table.summary("churn_share").set_index("strategy.posts_per_week")["mean"]
    best = int(app.table.best("churn_share", maximize=False).point["strategy.posts_per_week"])
    assert best == int(share.idxmin())


def test_choosing_a_lever_sets_its_range_and_values():
    app = small_app()
    app.lever.value = "strategy.quality"
    assert app.range.value == (0.2, 1.0)
    assert app.values() == [0.2, 0.6, 1.0]
    app.lever.value = "seeding.size"
    app.points.value = 4
    assert app.values() == [0, 33, 67, 100]
    assert lever_values("strategy.posts_per_week", 1, 3, 10) == [1, 2, 3]  # whole numbers, no repeats


def test_a_scenario_that_does_not_validate_shows_a_message(monkeypatch, tmp_path):
    (tmp_path / "broken.yaml").write_text("audience: {size: -5}\n")
    monkeypatch.setattr("communitysim.ui.experiments_lab.scenario_dir", lambda: tmp_path)
    app = ExperimentsLab(scenario="broken.yaml", backend="serial", progress=False)
    app.run()
    assert "audience.size" in app.status.value and app.table is None


def test_a_range_end_below_the_default_range_is_kept_not_clamped():
    """The range slider used to span each lever's default range only (posts 1..21, quality 0.2..1, delay 0.5..48 h):
    (0, 14) posts a week became (1, 14) without a word. Its track now starts at the lever's lowest valid value,
    and an end beyond the track is either kept (``set_slider``) or refused, never moved."""
    import pytest
    from traitlets import TraitError

    from communitysim.scenario import field_bounds
    from communitysim.ui import set_slider

    app = small_app()
    for lever, low in (("strategy.posts_per_week", 0), ("strategy.quality", 0.0), ("strategy.reply_delay_hours", 0.0),
                       ("seeding.size", 0)):  # fmt: skip
        app.lever.value = lever
        assert field_bounds(lever)[0] == low
        app.range.value = (low, app.range.value[1])
        assert app.range.value[0] == low, lever
        assert app.values()[0] == low, lever
    app.lever.value = "strategy.posts_per_week"
    app.range.value = (0, 14)
    assert app.range.value == (0, 14) and app.values() == [0, 7, 14]
    set_slider(app.range, (2, 60))  # beyond the track's 21: an end of its own, shown as it is
    assert app.range.value == (2, 60) and app.range.label == ("2", "60") and app.values() == [2, 31, 60]
    with pytest.raises(TraitError):  # a value set straight onto the widget, off its options: an error, not a clamp
        app.range.value = (0, 99)
    assert app.range.value == (2, 60)


def test_the_range_readout_is_written_as_the_language_writes_numbers():
    """ipywidgets' FloatRangeSlider wrote "0.2" on a French page; the ends' labels are now the language's, the
    value the same numbers."""
    from communitysim.messages import set_language

    set_language("fr")
    try:
        app = small_app()
        app.lever.value = "strategy.quality"
        assert app.range.label == ("0,20", "1,00") and app.range.value == (0.2, 1.0)
        app.lever.value = "strategy.reply_delay_hours"
        assert app.range.label == ("0,50", "48,00") and app.range.value == (0.5, 48.0)
        app.lever.value = "seeding.size"
        assert app.range.label == ("0", "100")
        assert [label for label, _ in app.range.options][:3] == ["0", "1", "2"]
    finally:
        set_language(None)
    app = small_app()
    app.lever.value = "strategy.quality"
    assert app.range.label == ("0.20", "1.00") and app.range.value == (0.2, 1.0)
    assert all(isinstance(v, float) for v in app.range.value) and app.values() == [0.2, 0.6, 1.0]
