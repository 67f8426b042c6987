"""Both languages beyond the notebooks' widgets: plots, numbers, the command line and its errors."""

import re
from pathlib import Path

import pandas as pd
import pytest

import communitysim as cs
from communitysim.calibration import fit_growth, plot_fit
from communitysim.experiments.sensitivity import sensitivity
from communitysim.experiments.sweeps import sweep
from communitysim.messages import catalogue, set_language
from helpers import ROOT, small

TINY = small(audience={"size": 300}, days=20, objectives=[{"kpi": "members", "target": 40, "by_day": 20}])


@pytest.fixture
def french():
    set_language("fr")
    yield
    set_language(None)


def english_only(text: str) -> bool:
    """Whether ``text`` is an English catalogue message that French says differently."""
    french_texts = set(catalogue("fr").values())
    return any(text == v and v not in french_texts for v in catalogue("en").values())


def texts(figure) -> list[str]:
    """Every title, axis label and legend entry of a figure."""
    found = [figure._suptitle.get_text()] if figure._suptitle else []
    for axes in figure.axes:
        found += [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
        legend = axes.get_legend()
        found += [entry.get_text() for entry in legend.get_texts()] if legend else []
    return [text for text in found if text]


def test_the_dashboard_speaks_french(french):
    figure = cs.run(TINY, seed=1).plot()
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["Membres", "Arrivées et départs", "Taux de croissance (moyenne sur 7 jours)",
                      "Norme de la communauté et préparation de la page"]  # fmt: skip
    assert figure.axes[0].get_xlabel() == "jour" and figure.axes[1].get_ylabel() == "personnes par jour"
    assert "graine 1" in figure._suptitle.get_text()
    assert "objectif 40 au jour 20" in texts(figure)
    assert not [text for text in texts(figure) if english_only(text)]


def test_the_sweep_plots_speak_french(french):
    table = sweep(TINY, {"strategy.posts_per_week": [1, 7]}, 2, backend="serial", progress=False)
    axes = table.plot("engagements").axes[0]
    assert axes.get_xlabel() == "Publications par semaine"
    assert axes.get_title().startswith("Interactions") and " selon Publications par semaine" in axes.get_title()
    assert "meilleur" in [text.get_text() for text in axes.get_legend().get_texts()]
    two = sweep(TINY, {"strategy.posts_per_week": [1, 7], "strategy.quality": [0.3, 0.9]}, 1,
                backend="serial", progress=False)  # fmt: skip
    assert two.plot("members").axes[0].get_title() == "moyenne : Membres"


def test_the_calibration_and_sensitivity_plots_speak_french(french):
    days = pd.Series(range(30), dtype=float)
    fit = fit_growth(pd.DataFrame({"day": days, "followers": 100 + 5 * days}), bootstrap=0)
    axes = plot_fit(fit).axes[0]
    assert (axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) == (
        "Croissance : export, ajustement et prévision", "jour", "abonnés")  # fmt: skip
    assert any(
        text.startswith("courbe ajustée (R² 0,") or text.startswith("courbe ajustée (R² 1")
        for text in texts(plot_fit(fit).figure)
    )
    result = sensitivity(TINY, "engagements", "morris", {"strategy.quality": (0.2, 1)}, samples=2,
                         backend="serial", progress=False)  # fmt: skip
    assert (
        result.plot().axes[0].get_title()
        == "Ce qui fait bouger Interactions (réactions, commentaires, partages) (morris)"
    )


def test_the_dashboard_speaks_english_by_default():
    figure = cs.run(TINY, seed=1).plot()
    assert figure.axes[0].get_title() == "Members" and figure.axes[0].get_xlabel() == "day"
    assert not [text for text in texts(figure) if text in set(catalogue("fr").values()) - set(catalogue("en").values())]


# --- numbers ------------------------------------------------------------------------------------


def test_numbers_follow_the_language(french):
    from communitysim.messages import number, percent

    assert number(1309.4) == "1\u202f309"  # a narrow no-break space between thousands
    assert number(0.4234, 2) == "0,42" and number(1.5, None) == "1,5" and number(2.0, None) == "2"
    assert percent(0.123) == "12\u00a0%" and percent(0.1234, 1) == "12,3\u00a0%"
    assert number(12, sign=True) == "+12" and number(float("nan")) == "–"
    set_language("en")
    assert (number(1309.4), number(0.4234, 2), percent(0.123), percent(0.1234, 1)) == ("1,309", "0.42", "12%", "12.3%")


def test_the_formatters_of_sweeps_kpis_and_scorecards_follow_the_language(french):
    from communitysim.exercise.report import format_kpi
    from communitysim.experiments.sweeps import format_number
    from communitysim.ui.feedback import scorecard_html

    assert (
        format_number(12345.6) == "12\u202f346"
        and format_number(0.012345) == "0,0123"
        and format_number(2500) == "2\u202f500"
    )
    assert format_kpi("peak_negative_share", 0.42) == "42\u00a0%" and format_kpi("members", 1309.2) == "1\u202f309"
    assert format_kpi("hours_to_peak", 7.25) == "7,2 h" and format_kpi("sentiment", 12) == "+12"
    result = cs.run(
        small(audience={"size": 300}, days=20, objectives=[{"kpi": "active_ratio", "target": 0.25, "by_day": 20}]),
        seed=1,
    )
    assert "≥ 25\u00a0%" in scorecard_html(result)  # a share as a percentage
    set_language("en")
    assert format_number(12345.6) == "12,346" and format_kpi("peak_negative_share", 0.42) == "42%"
    assert "≥ 25%" in scorecard_html(result)


# --- the command line and its errors ------------------------------------------------------------


def communitysim(*argv: str, lang: str):
    """The command in a fresh process, its language from COMMUNITYSIM_LANG (as a user sets it)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMMUNITYSIM_LANG": lang}
    command = [sys.executable, "-m", "communitysim", *argv]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def test_a_bad_scenario_file_gets_one_french_line(tmp_path):
    bad = tmp_path / "faute.yaml"
    bad.write_text("seeding: {size: -3}\ngrowth: {word_of_mouth_rate_per_dya: 0.1}\n")
    proc = communitysim("run", str(bad), lang="fr")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"communitysim : erreur : {bad} : ")
    assert "champ inconnu ; attendu l'un de : " in proc.stderr or "supérieure ou égale à 0" in proc.stderr
    proc = communitysim("run", "scenarios/nope.yaml", lang="fr")
    assert proc.stderr.strip() == "communitysim : erreur : scenarios/nope.yaml : fichier de scénario introuvable"
    proc = communitysim("run", "b2b_leads", "--days", "20", "--set", "audience.size=300", lang="fr")
    assert proc.returncode == 0, proc.stderr
    assert "3 objectifs tombent après cette simulation de 20 jours (jours 120, 365)" in proc.stdout
    assert proc.stdout.count("au-delà de l'horizon") == 4  # the three rows and the line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seeding: {size: -3}\n", "seeding.size : la valeur doit être supérieure ou égale à 0 (reçu : -3)"),
        ("audience: {size: abc}\n", "audience.size : un nombre entier est attendu (reçu : 'abc')"),
        ("audience: {network: {kind: torus}}\n", "'complete' ou 'file' (reçu : 'torus')"),
        ("strategy: {content_mix: {informational: 0.5}}\n", "les parts doivent faire 1 au total, reçu : 0,5"),
        ("name: [unclosed\n", "YAML mal formé à la ligne 2, colonne 1"),
        ("", "le fichier est vide"),
        ("seeding: {size: 50}\naudience: {size: 40}\n", "seeding.size : 50 dépasse audience.size (40)"),
    ],
)
def test_scenario_errors_are_framed_in_french(tmp_path, french, text, expected):
    from communitysim.scenario import ScenarioError, load_scenario

    file = tmp_path / "s.yaml"
    file.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert str(info.value).startswith(f"{file} : ") and expected in str(info.value), str(info.value)


def test_the_run_summary_and_the_help_speak_french(tmp_path):
    proc = communitysim("run", "scenarios/bakery_launch.yaml", "--days", "365", lang="fr")
    assert proc.returncode == 0, proc.stderr
    assert "bakery_launch : 5\u202f000 personnes, 365 jours, graine 7" in proc.stdout
    # a French decimal comma and a no-break space before % (the figure itself moves with the model)
    assert "jour 365 : " in proc.stdout and re.search(r"\d+,\d\u00a0% de l'audience", proc.stdout)
    assert "Objectifs :" in proc.stdout and ("RÉUSSI" in proc.stdout or "échec" in proc.stdout)
    assert "écart" in proc.stdout and "≥ 2\u202f500" in proc.stdout
    help_text = communitysim("run", "--help", lang="fr").stdout
    assert help_text.startswith("utilisation : communitysim run") and "afficher cette aide et quitter" in help_text
    assert "graine aléatoire (par défaut 7)" in help_text
    assert "random seed" in communitysim("run", "--help", lang="en").stdout


def test_classroom_errors_speak_french(tmp_path, french):
    from communitysim.classroom import ClassroomError, Store, create_session
    from communitysim.classroom.exercise import validate_injects

    store = Store(tmp_path / "classe.sqlite")
    with pytest.raises(ClassroomError, match=r"^nom de la session : un texte est attendu"):
        create_session(store, " ", "crisis_offensive_post.yaml", teams=["Rouge"])
    session = create_session(store, "Cours B", "crisis_offensive_post.yaml", teams=["Rouge", "Bleu"])
    with pytest.raises(
        ClassroomError, match=r"^équipe 'Vert' : absente de la session 'Cours B' ; attendu l'une de : Rouge"
    ):
        store.team(session, "Vert")
    with pytest.raises(ClassroomError, match=r"^chronogramme des événements : inject 1 : heure : attendu des heures"):
        validate_injects([{"hour": -1, "kind": "appel", "title": "Un journaliste", "body": "..."}])


def test_every_shipped_scenario_is_described_in_every_language_and_english_matches_its_file():
    import yaml

    from communitysim.messages import LANGUAGES

    for file in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        key = f"scenario.description.{data['name']}"
        assert catalogue("en")[key] == " ".join(data["description"].split()), file.name
        assert all(key in catalogue(lang) for lang in LANGUAGES), file.name


def test_the_welcome_notebook_links_to_the_notebooks_of_its_own_language():
    import json
    import re

    for name, suffix in (("00_welcome.ipynb", ".ipynb"), ("00_welcome.fr.ipynb", ".fr.ipynb")):
        cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        links = re.findall(r"\]\((0\d_[\w.]+)\)", text)
        assert len(links) >= 8, name
        for link in links:
            assert link.endswith(suffix) and (suffix == ".fr.ipynb" or ".fr." not in link), link
            assert (ROOT / "notebooks" / link).is_file(), link


def test_make_lab_writes_the_lab_language_and_opens_the_welcome_notebook_of_that_language(tmp_path):
    import json

    from communitysim.ui.launch import TRANSLATION_PLUGIN, lab_arguments, write_lab_language

    path = write_lab_language("fr", tmp_path)
    assert path == tmp_path / "overrides.d" / "communitysim-language.json"
    assert json.loads(path.read_text()) == {TRANSLATION_PLUGIN: {"locale": "fr_FR"}}
    assert json.loads(write_lab_language("en", tmp_path).read_text())[TRANSLATION_PLUGIN] == {"locale": "en"}
    assert lab_arguments("fr") == ["--LabApp.default_url=/lab/tree/00_welcome.fr.ipynb"]
    assert lab_arguments("en") == ["--LabApp.default_url=/lab/tree/00_welcome.ipynb"]


def test_sweep_results_and_grid_errors_speak_french(french):
    from communitysim.scenario import ScenarioError

    table = sweep(TINY, {"strategy.posts_per_week": [1, 21]}, 3, backend="serial", progress=False)
    text = str(table.best("posts"))
    assert text.startswith("meilleur posts : strategy.posts_per_week = 21 (moyenne ")
    assert "intervalle de confiance à 95\u00a0%" in text and (" : un gagnant net." in text or "distinguables" in text)
    with pytest.raises(ScenarioError, match=r"^grid : strategy\.quality : attendu : au moins une valeur"):
        sweep(TINY, {"strategy.quality": []}, 2, backend="serial", progress=False)


def test_a_shipped_description_is_translated_and_an_edited_one_kept(french):
    from communitysim.messages import scenario_description

    shipped = catalogue("en")["scenario.description.crisis_offensive_post"]
    assert scenario_description("crisis_offensive_post", shipped).startswith("Une crise évitable")
    assert scenario_description("crisis_offensive_post", "Ma propre   crise.") == "Ma propre crise."


def test_the_calibration_speaks_french(french, tmp_path, capsys):
    from communitysim.calibration import fit_growth, read_export
    from communitysim.cli import main

    sample = Path(__file__).resolve().parents[1] / "examples" / "page_export.csv"
    fit = fit_growth(read_export(sample), bootstrap=10)
    text = str(fit)
    assert text.startswith("Croissance de Bass ajustée sur 149 dates couvrant 150 jours")
    assert "marché" in text and "0,0" in text
    assert main(["calibrate", str(sample), "--out", str(tmp_path / "page.yaml"), "--bootstrap", "10",
                 "--forecast", "10"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert (
        "lacune : 2 jour(s) manquant(s)" in printed
        and "Engagement calé" in printed
        and "prévision, jour +10" in printed
    )
    assert "days" not in printed.replace("--", "") and "forecast" not in printed


def test_argparse_own_words_are_french_while_the_command_line_parses(french, capsys):
    import argparse

    from communitysim.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "choix invalide : 'frobnicate'" in err and "invalid choice" not in err
    with pytest.raises(SystemExit):
        main(["sweep"])
    assert "les arguments suivants sont obligatoires : scenario, --grid" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "scenarios/bakery_launch.yaml", "--bogus"])
    assert "arguments non reconnus : --bogus" in capsys.readouterr().err
    assert argparse._("unrecognized arguments: %s") == "unrecognized arguments: %s"  # restored after the parse


def test_a_bad_export_is_told_in_french(french, tmp_path):
    from communitysim.calibration import read_export
    from communitysim.scenario import ScenarioError

    path = tmp_path / "export.csv"
    path.write_text("Date,Followers\n2026-01-01,3\n2026-01-02,-4\n2026-01-03,5\n")
    with pytest.raises(
        ScenarioError, match=r"export.csv : ligne 3, colonne Followers : attendu : un nombre >= 0, reçu : '-4'"
    ):
        read_export(path)
