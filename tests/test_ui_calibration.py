"""The calibration app driven programmatically: sample and upload, fit, forecast, save."""

from datetime import UTC, datetime

import communitysim as cs
from communitysim.ui.calibration_lab import SAMPLE, CalibrationLab


def test_the_sample_is_fitted_forecast_under_two_rhythms_and_saved_as_a_scenario(tmp_path, monkeypatch):
    monkeypatch.setattr("communitysim.ui.calibration_lab.scenario_dir", lambda: tmp_path)
    app = CalibrationLab(bootstrap=10, replications=3)
    app.days.value, app.alternative.value = 30, 14
    app.use_sample()
    assert "2 day(s) missing from 2026-04-10" in app.report.value and "R²" in app.report.value
    strategies = set(app.ahead["strategy"])
    assert len(strategies) == 2 and "14 posts a week" in strategies
    assert any(name.startswith("current rhythm (") for name in strategies)
    assert "Engagement matched" in app.report.value
    assert app.table.value.count("<tr>") == 1 + 2
    app.run_backtest()  # the first 75% of the dates fitted, the rest forecast with the band
    assert "backtest: fitted on the first 112 dates" in app.backtest_report.value
    assert "MAPE" in app.backtest_report.value
    app.name.value = "my_page"
    app.save()
    assert "Saved" in app.status.value
    assert cs.load_scenario(tmp_path / "my_page.yaml").days == 30
    app.name.value = "../../etc/passwd"
    app.save()
    assert "expected letters, digits" in app.status.value


def test_an_uploaded_export_is_kept_and_fitted_and_a_bad_one_explained(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = CalibrationLab(bootstrap=5, replications=2)
    upload = {"name": "../my page.csv", "type": "text/csv", "size": 0, "last_modified": datetime.now(UTC)}
    app.upload.value = ({**upload, "content": memoryview(SAMPLE.read_bytes())},)
    assert (tmp_path / "out" / "uploads" / "my_page.csv").exists() and app.fit is not None
    app.upload.value = ({**upload, "name": "bad.csv", "content": memoryview(b"Date,Visitors\n2026-01-01,3\n")},)
    assert "no followers column" in app.status.value


def test_the_held_out_share_reads_as_the_language_writes_a_percentage_and_backtests_that_share():
    """ipywidgets' ``readout_format=".0%"`` wrote "25%" on a French page: the readout is now ``messages.percent``'s
    ("25 %", a no-break space), the value the same share (0..1) that ``backtest`` takes."""
    import html

    from communitysim.calibration import backtest
    from communitysim.messages import set_language

    set_language("fr")
    try:
        app = CalibrationLab(bootstrap=5, replications=2)
        assert (app.holdout.label, app.holdout.value) == ("25\u00a0%", 0.25)
        assert [label for label, _ in app.holdout.options] == [f"{p}\u00a0%" for p in range(10, 55, 5)]
        app.use_sample()
        app.holdout.value = 0.5
        assert app.holdout.label == "50\u00a0%"
        app.run_backtest()
        expected = backtest(app.export, 0.5, bootstrap=5, seed=app.seed)  # half the dates held out, not 50 of them
        assert html.unescape(app.backtest_report.value) == f"<div class='cs-backtest'>{expected}</div>"
    finally:
        set_language(None)
    english = CalibrationLab(bootstrap=5, replications=2).holdout
    assert (english.label, english.value, english.options[0]) == ("25%", 0.25, ("10%", 0.1))
