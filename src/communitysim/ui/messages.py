"""The message catalogue: every user-facing text of the notebooks goes through ``t(key)``.

Catalogues are YAML files, one folder per language (``locales/en/*.yaml``), each file a flat
mapping of keys (``lab.run``) to text with ``{placeholders}``; the files of a language are merged.
English ships first; a translation is a new folder with the same keys (tested).

Example:
    >>> t("common.day", day=3)
    'day 3'
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "language", "catalogue", "t"]

LOCALES = Path(__file__).parent / "locales"
#: The shipped languages.
LANGUAGES = tuple(sorted(p.name for p in LOCALES.iterdir() if p.is_dir()))


def language() -> str:
    """The language from ``COMMUNITYSIM_LANG`` (default English)."""
    wanted = os.environ.get("COMMUNITYSIM_LANG", "en").split("_")[0].lower()
    return wanted if wanted in LANGUAGES else "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of a language, merged from its YAML files."""
    messages: dict[str, str] = {}
    for file in sorted((LOCALES / lang).glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for key, text in data.items():
            if key in messages:
                raise ValueError(f"{file}: {key}: the key is already defined in another file")
            messages[key] = str(text)
    return messages


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` in the current language, with ``{placeholders}`` filled."""
    messages = catalogue(lang or language())
    try:
        text = messages[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {lang or language()!r} catalogue") from None
    return text.format(**values) if values else text
