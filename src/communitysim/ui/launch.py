"""Start JupyterLab in the user's language, on the welcome notebook of that language (``make lab``).

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
import sys
from collections.abc import Sequence
from pathlib import Path

from communitysim.ui.messages import language

__all__ = ["LAB_LOCALES", "lab_arguments", "welcome_notebook", "write_lab_language"]

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


if __name__ == "__main__":  # pragma: no cover
    main()
