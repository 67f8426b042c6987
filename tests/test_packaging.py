"""The package's own data and launchers: shipped files, `communitysim lab`'s copies, the class's secrets."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from communitysim import files
from communitysim.classroom import serve
from communitysim.ui import launch
from helpers import ROOT


def test_the_shipped_data_is_found_through_one_resolver():
    for kind in files.KINDS:
        assert files.shipped(kind).is_dir()
    assert files.scenario_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert files.scenario_path("b2b_leads.yaml") == files.scenario_path("b2b_leads")
    with pytest.raises(ValueError, match="unknown kind"):
        files.shipped("secrets")


def test_find_scenario_prefers_the_user_s_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert files.find_scenario("bakery_launch") == files.scenario_path("bakery_launch")
    assert files.find_scenario("scenarios/bakery_launch.yaml") == files.scenario_path("bakery_launch")
    own = tmp_path / "bakery_launch.yaml"
    own.write_text("name: mine\n")
    assert files.find_scenario("bakery_launch.yaml") == Path("bakery_launch.yaml")
    assert files.find_scenario("elsewhere/bakery_launch.yaml") == Path("elsewhere/bakery_launch.yaml")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_lab_copies_the_language_s_notebooks_and_keeps_edited_ones(tmp_path, lang):
    names = [p.name for p in launch.language_notebooks(lang)]
    assert launch.welcome_notebook(lang) in names
    assert all((".fr." in n) == (lang == "fr") for n in names)
    assert len(names) == len(list((ROOT / "notebooks").glob("*.ipynb"))) // 2
    work = tmp_path / "work"
    assert [p.name for p in launch.copy_notebooks(work, lang)] == names
    edited = work / names[1]
    edited.write_text('{"edited": true}')
    (work / names[2]).unlink()
    assert [p.name for p in launch.copy_notebooks(work, lang)] == [names[2]]
    assert edited.read_text() == '{"edited": true}'
    assert not list(work.glob(".*.part"))


def test_lab_refuses_a_file_for_a_folder(tmp_path, capsys):
    from communitysim.cli import main

    (tmp_path / "f").write_text("x")
    assert main(["lab", str(tmp_path / "f"), "--no-browser"]) == 2
    assert capsys.readouterr().err.strip().endswith("exists and is not a folder")


def test_unknown_options_are_refused_except_for_the_servers(capsys):
    from communitysim.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["scenarios", "--no-browser"])
    assert stopped.value.code == 2 and "unrecognized arguments: --no-browser" in capsys.readouterr().err


def test_the_class_secrets_are_kept_private_and_differ(tmp_path):
    database = tmp_path / "class.sqlite"
    first = serve.access(database)
    kept = database.with_name("class.sqlite.access.json")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text()) == {"join_code": first.join_code, "password": first.password}
    assert serve.access(database) == first  # a restart keeps them
    assert len(first.join_code) == 8 and set(first.join_code) <= set(serve.CODE_LETTERS)
    chosen = serve.access(database, join_code="ROOM12", password="teacher pass")
    assert chosen == serve.Access("ROOM12", "teacher pass") == serve.access(database)
    with pytest.raises(ValueError, match="must differ"):
        serve.access(database, join_code="same", password="same")


def test_the_class_servers_are_two_voila_with_their_own_secret(tmp_path):
    secret = serve.Access("CODE", "PASS")
    commands = serve.server_commands(tmp_path, "127.0.0.1", 9000, secret)
    assert commands["team"][3].endswith("08_classroom_team.ipynb") and "--port=9000" in commands["team"]
    assert "--token=CODE" in commands["team"] and "--token=PASS" in commands["facilitator"]
    assert "--port=9001" in commands["facilitator"] and "--Voila.ip=127.0.0.1" in commands["facilitator"]
    assert all(launch.KERNEL_CLIENT_OPTION in command for command in commands.values())  # no page waits for ever
    spec = json.loads((serve.kernel_spec(tmp_path, 512) / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][1:4] == ["-m", "communitysim.classroom.kernel", "--memory-mb=512"]


def test_a_class_kernel_s_memory_is_bounded():
    code = (
        "from communitysim.classroom.kernel import bound_memory\n"
        "bound_memory(600)\n"
        "try:\n    bytearray(900 * 2**20)\nexcept MemoryError:\n    print('bounded')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})  # fmt: skip
    assert proc.stdout.strip() == "bounded", proc.stderr


def test_served_pages_keep_to_the_served_database(tmp_path, monkeypatch):
    from communitysim.classroom import Store, create_session
    from communitysim.ui.classroom_team import TeamApp

    served = tmp_path / "class.sqlite"
    with Store(served) as store:
        create_session(store, "Served", "crisis_offensive_post.yaml", teams=["Red"])
    monkeypatch.setenv("COMMUNITYSIM_CLASSROOM_DB", str(served))
    monkeypatch.setenv("COMMUNITYSIM_CLASSROOM_SERVED", "1")
    page = TeamApp(path=tmp_path / "elsewhere.sqlite")
    assert page.path.disabled and page.path.value == str(served) and page.session.options == ("Served",)
    page.path.value = str(tmp_path / "other.sqlite")
    page.join()
    assert page.store.path == str(served) and not (tmp_path / "other.sqlite").exists()


@pytest.mark.parametrize("kind", ["lab", "app"])
def test_lab_and_app_become_jupyterlab_and_voila_on_127_0_0_1(tmp_path, monkeypatch, kind, capsys):
    from communitysim.cli import main

    started = []
    monkeypatch.setattr(os, "execv", lambda program, argv: started.append(argv))
    monkeypatch.setattr(launch, "write_lab_language", lambda lang, folder=None: None)
    monkeypatch.setenv("COMMUNITYSIM_LANG", "fr")
    assert main([kind, str(tmp_path / "work"), "--no-browser", "--port=8899"]) == 0
    (argv,) = started
    assert argv[:3] == [sys.executable, "-m", "jupyterlab" if kind == "lab" else "voila"]
    assert "--no-browser" in argv and "--port=8899" in argv
    assert any(a in ("--ServerApp.ip=127.0.0.1", "--Voila.ip=127.0.0.1") for a in argv)
    if kind == "app":
        assert launch.KERNEL_CLIENT_OPTION in argv  # Voila reads its kernels with communitysim's client
    if kind == "lab":
        assert "--LabApp.default_url=/lab/tree/00_welcome.fr.ipynb" in argv
        assert f"--ServerApp.root_dir={tmp_path / 'work'}" in argv
    assert (tmp_path / "work" / "00_welcome.fr.ipynb").is_file()
    assert not (tmp_path / "work" / "00_welcome.ipynb").exists()
    assert "carnets copiés" in capsys.readouterr().out
