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
