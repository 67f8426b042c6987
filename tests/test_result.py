import pytest

import communitysim as cs
from helpers import small


@pytest.fixture(scope="module")
def result():
    return cs.run(small(objectives=[{"kpi": "members", "target": 50, "by_day": 60}]), seed=1)


def test_result_parts(result):
    ts = result.timeseries
    assert len(ts) == result.scenario.n_steps + 1
    assert ts["day"].iloc[0] == 0 and ts["day"].iloc[-1] == 120
    assert result.kpis["members"] == ts["members"].iloc[-1]
    card = result.scorecard
    assert card.loc[0, "achieved"] == ts.loc[ts["day"] == 60, "members"].iloc[0]


def test_plot_has_the_dashboard_panels(result):
    figure = result.plot(baseline=result)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["Members", "Joins and leaves", "Growth rate (7-day mean)", "Community norm and page readiness"]


def test_save_writes_nothing_when_rendering_fails(tmp_path, result, monkeypatch):
    from matplotlib.figure import Figure

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        result.save(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_save_replaces_files_whole(tmp_path, result):
    out = tmp_path / "out"
    result.save(out)
    first = (out / "timeseries.csv").read_text()
    result.save(out)
    assert (out / "timeseries.csv").read_text() == first
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))


def test_saved_files_have_the_usual_permissions(tmp_path, result):
    import os
    import stat

    result.save(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "kpis.json").st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask
