"""Master events lists: injects matched to the crisis type; CSV, XLSX and YAML files with one-line errors."""

import pytest
import yaml

from communitysim.classroom import ClassroomError, Store, create_session
from communitysim.classroom.events_file import load_events
from communitysim.classroom.exercise import ESCALATION_BY_TYPE, default_injects
from communitysim.mechanisms.crisis import CRISIS_TYPES
from communitysim.messages import catalogue, set_language, t
from communitysim.ui.classroom_facilitator import FacilitatorApp

ROWS = [
    ["hour", "kind", "title", "body", "effect"],
    [2, "escalation", "A journalist calls", "The Courier wants a comment.", ""],
    [6, "escalation", "An influencer shares it", "A new wave.", "escalate 0.3"],
    [None, "on_demand", "A second crisis", "A leak on top.", "{crisis: {type: data_leak, severity: 0.5}}"],
]


def write_csv(path, rows):
    path.write_text("\n".join(",".join("" if v is None else f'"{v}"' for v in row) for row in rows) + "\n")
    return path


def test_injects_match_the_crisis_type():
    titles = {kind: [i["title"] for i in default_injects(kind)] for kind in CRISIS_TYPES}
    video = t("class.inject.viral_video.title")
    assert video not in titles["offensive_post"] and video not in titles["false_rumour"]
    assert video in titles["product_recall"] and t("class.inject.screenshots.title") in titles["offensive_post"]
    for lang in ("en", "fr"):
        assert all(f"class.inject.{key}.body" in catalogue(lang) for key in ESCALATION_BY_TYPE.values())
    store = Store(":memory:")
    session = create_session(store, "Demo", "crisis_false_rumour.yaml", teams=["Red"],
                             overrides={"audience.size": 300, "seeding.size": 150})  # fmt: skip
    assert t("class.inject.fake_screenshot.title") in [i.title for i in store.injects(session)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_a_master_events_list_loads_from_a_spreadsheet_or_yaml(tmp_path, suffix):
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        write_csv(path, ROWS)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        for row in ROWS:
            book.active.append(row)
        book.save(path)
    else:
        items = [dict(zip(ROWS[0], row, strict=True)) for row in ROWS[1:]]
        for item in items:
            effect = item["effect"]
            item["effect"] = (
                None
                if not effect
                else {"escalate": {"severity": 0.3}}
                if effect.startswith("escalate")
                else yaml.safe_load(effect)
            )
        path.write_text(yaml.safe_dump(items))
    events = load_events(path)
    assert [e["hour"] for e in events] == [2.0, 6.0, None]
    assert events[0]["effect"] is None and events[1]["effect"] == {"escalate": {"severity": 0.3}}
    assert events[2]["effect"] == {"crisis": {"type": "data_leak", "severity": 0.5}}
    store = Store(":memory:")
    create_session(store, "Demo", "crisis_offensive_post.yaml", teams=["Red"], injects=events,
                   overrides={"audience.size": 300, "seeding.size": 150})  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "events.txt"}, "events.txt: expected a .csv, .xlsx, .yaml or .yml file."),
        ({"rows": [["hour", "kind", "title", "body"]]}, "events.csv: missing column effect"),
        ({"cell": (2, 4, "escalate lots")}, "events.csv, row 3, effect: expected empty, 'escalate <severity>'"),
        ({"cell": (1, 0, "soon")}, "events.csv, row 2, hour: expected a number of hours or empty"),
        ({"cell": (2, 4, "escalate 3")}, "events.csv: inject 2: effect.escalate.severity"),
        ({"cell": (1, 2, "")}, "events.csv: inject 1: title: expected some text"),
    ],
)
def test_a_bad_events_file_gets_one_line_naming_the_file_the_row_and_the_field(tmp_path, change, message):
    rows = [list(r) for r in change.get("rows", ROWS)]
    if "cell" in change:
        row, column, value = change["cell"]
        rows[row][column] = value
    path = write_csv(tmp_path / change.get("name", "events.csv"), rows)
    with pytest.raises(ClassroomError) as error:
        load_events(path)
    text = str(error.value)
    assert message in text and "\n" not in text and "Traceback" not in text
    with pytest.raises(ClassroomError, match="no such file"):
        load_events(tmp_path / "missing.csv")


def test_the_facilitator_matches_events_to_the_scenario_and_loads_a_file_in_french(tmp_path):
    set_language("fr")
    try:
        app = FacilitatorApp(store=Store(":memory:"))
        app.scenario.value = "crisis_offensive_post.yaml"
        assert t("class.inject.screenshots.title") in app.events.value
        app.scenario.value = "crisis_product_recall.yaml"
        assert t("class.inject.viral_video.title") in app.events.value
        app.events_file.value = str(write_csv(tmp_path / "events.csv", ROWS))
        app.load_button.click()
        assert "A journalist calls" in app.events.value and "3 événements" in app.status.value
        app.events_file.value = str(tmp_path / "events.doc")
        app.load_button.click()
        assert "events.doc : fichier .csv, .xlsx, .yaml ou .yml attendu." in app.status.value
    finally:
        set_language(None)
