"""Start JupyterLab (``communitysim lab``) or Voila (``communitysim app``) in the user's language.

``communitysim lab [FOLDER]`` first copies the shipped notebooks of the user's language into the
working folder (those not there yet: a learner's edited copy is never overwritten), then starts
JupyterLab on it, bound to 127.0.0.1, on the welcome notebook; ``make lab`` is a call of it.
``communitysim app [FOLDER]`` does the same with Voila.

The language is the package's (``COMMUNITYSIM_LANG``, else the locale, else English). JupyterLab's
own menus follow it through its language pack (``jupyterlab-language-pack-fr-FR``, a dependency of
the ``lab`` extra): this writes the language as a default setting in the lab's settings folder
(``overrides.d/communitysim-language.json``, which a choice made in Lab's *Settings > Language*
menu still overrides), then starts the lab on ``00_welcome.fr.ipynb`` (French) or
``00_welcome.ipynb`` (English).

Example:
    $ COMMUNITYSIM_LANG=fr python -m communitysim.ui.launch --no-browser --ServerApp.root_dir=notebooks
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from communitysim.files import shipped
from communitysim.messages import LANGUAGES, language, t, tn

__all__ = [
    "LAB_LOCALES",
    "copy_notebooks",
    "lab_arguments",
    "language_notebooks",
    "start",
    "welcome_notebook",
    "write_lab_language",
]

#: JupyterLab's locale for each of our languages (the language pack's name).
LAB_LOCALES = {"en": "en", "fr": "fr_FR"}
#: The translation plugin whose ``locale`` setting chooses JupyterLab's language.
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"


def welcome_notebook(lang: str) -> str:
    """The first notebook of a language.

    Example:
        >>> welcome_notebook("fr"), welcome_notebook("en")
        ('00_welcome.fr.ipynb', '00_welcome.ipynb')
    """
    return "00_welcome.ipynb" if lang == "en" else f"00_welcome.{lang}.ipynb"


def write_lab_language(lang: str, settings_dir: Path | None = None) -> Path:
    """Write JupyterLab's default language into its settings folder (the environment's, by default).

    Returns:
        The file written: ``<settings_dir>/overrides.d/communitysim-language.json``.
    """
    folder = (settings_dir or Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings") / "overrides.d"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "communitysim-language.json"
    path.write_text(json.dumps({TRANSLATION_PLUGIN: {"locale": LAB_LOCALES.get(lang, "en")}}, indent=2) + "\n")
    return path


def lab_arguments(lang: str) -> list[str]:
    """The ``jupyter lab`` options that open a language's welcome notebook."""
    return [f"--LabApp.default_url=/lab/tree/{welcome_notebook(lang)}"]


def main(argv: Sequence[str] | None = None) -> None:
    """Write the lab's language, then replace this process with ``jupyter lab`` (options passed on).

    The language goes into the settings folder that ``--LabApp.app_settings_dir=DIR`` names, if given.
    """
    lang = language()
    options = list(sys.argv[1:] if argv is None else argv)
    given = [o.split("=", 1)[1] for o in options if o.startswith("--LabApp.app_settings_dir=")]
    write_lab_language(lang, Path(given[-1]) if given else None)
    command = [sys.executable, "-m", "jupyterlab", *lab_arguments(lang), *options]
    os.execv(sys.executable, command)


def language_notebooks(lang: str) -> list[Path]:
    """The shipped notebooks of a language (``NN_name.fr.ipynb`` in French, ``NN_name.ipynb`` in English)."""
    others = {f".{code}" for code in LANGUAGES if code != "en"}
    found = []
    for path in sorted(shipped("notebooks").glob("*.ipynb")):
        infix = Path(path.stem).suffix
        if (lang == "en" and infix not in others) or (lang != "en" and infix == f".{lang}"):
            found.append(path)
    return found


def copy_notebooks(folder: Path, lang: str) -> list[Path]:
    """Copy a language's shipped notebooks into ``folder`` (created if needed); returns those copied.

    A notebook already in the folder, edited or not, is left as it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in language_notebooks(lang):
        target = folder / source.name
        if target.exists() or target.resolve() == source.resolve():
            continue
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, partial)
        partial.replace(target)  # atomic: never a half-copied notebook
        copied.append(target)
    return copied


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


#: Every Voila we start, and every notebook run by nbconvert (``make notebooks``, tools/check_wheel.py),
#: reads its kernels with communitysim's client: a reply that has arrived is always read, where
#: jupyter_client's own client can wait for ever (``communitysim.ui.kernel_client``).
KERNEL_CLIENT_OPTION = "--AsyncKernelManager.client_class=communitysim.ui.kernel_client.KernelClient"


def voila_command(target: Path, *options: str) -> list[str]:
    """The command that starts Voila on ``target`` (a folder or a notebook), with communitysim's kernel client."""
    return [sys.executable, "-m", "voila", str(target), KERNEL_CLIENT_OPTION, *options]


def start(kind: str, folder: Path, options: Sequence[str] = ()) -> int:
    """``communitysim lab`` or ``communitysim app``: copy the notebooks, then become JupyterLab or Voila.

    Options are passed on to the server (e.g. ``--no-browser``, ``--port=8890``); it listens on
    127.0.0.1 unless they say otherwise.
    """
    lang = language()
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        print(t("cli.error", message=t("launch.not_folder", folder=folder)), file=sys.stderr)
        return 2
    copied = copy_notebooks(folder, lang)
    print(tn("launch.copied", len(copied), folder=folder) if copied else t("launch.kept", folder=folder))
    options = list(options)
    if kind == "lab":
        main(["--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={folder}", *_root_flag(), *options])
        return 0  # pragma: no cover (main replaced the process)
    os.execv(sys.executable, voila_command(folder, "--Voila.ip=127.0.0.1", *options))
    return 0  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    main()
