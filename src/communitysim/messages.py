"""The message catalogue: every user-facing text goes through ``t(key)``, every number through ``number``.

Catalogues are YAML files, one folder per language (``locales/en/*.yaml``), each file a flat
mapping of keys (``lab.run``) to text with ``{placeholders}``; the files of a language are merged.
English ships first; a translation is a new folder with the same keys (tested). Numbers follow the
language's conventions (Babel, from the Unicode CLDR): ``1,309.5`` and ``12%`` in English,
``1 309,5`` (a narrow no-break space) and ``12 %`` (a no-break space) in French.

Example:
    >>> t("common.day", day=3)
    'day 3'
    >>> number(1309.46, 1), percent(0.123)
    ('1,309.5', '12%')
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml
from babel import Locale
from babel.numbers import format_decimal, format_percent, format_scientific

__all__ = [
    "LANGUAGES",
    "language",
    "set_language",
    "catalogue",
    "t",
    "t_or",
    "tn",
    "number",
    "percent",
    "scenario_description",
]

LOCALES = Path(__file__).parent / "ui" / "locales"
#: The shipped languages.
LANGUAGES = tuple(sorted(p.name for p in LOCALES.iterdir() if p.is_dir()))


_chosen: str | None = None  # set_language's choice, before any environment variable


def set_language(lang: str | None) -> None:
    """Choose the language of every text from now on (a notebook's switch); None: back to the settings.

    Raises:
        ValueError: a language that is not shipped.
    """
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"language: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    _chosen = lang


def language() -> str:
    """The language now.

    ``set_language``'s choice, else ``COMMUNITYSIM_LANG``, else the locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``: ``fr_FR.UTF-8`` gives French), else English.
    """
    if _chosen is not None:
        return _chosen
    for variable in ("COMMUNITYSIM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        wanted = value.split(".")[0].split("_")[0].lower()
        if wanted in LANGUAGES:
            return wanted
        if variable == "COMMUNITYSIM_LANG" and value:
            break  # an explicit but unknown language: English, not the locale
    return "en"


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


def t_or(key: str, fallback: str, **values: object) -> str:
    """The text of ``key`` if the catalogue has it, else ``fallback`` (a name from the code, e.g. a KPI's).

    Example:
        >>> t_or("lab.kpi.members", "members"), t_or("lab.kpi.nope", "nope")
        ('Members', 'nope')
    """
    return t(key, **values) if key in catalogue(language()) else fallback


def tn(key: str, count: float, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` for ``count`` things, by the language's plural rules (CLDR, through Babel).

    A plural message is written as one key per CLDR category the language uses, ``key.one`` and
    ``key.other`` (French also knows ``key.many``, for a million and more; missing categories fall
    back to ``key.other``). ``{count}`` is filled with the number written the language's way.
    French says "0 personne" and "1,5 heure" (category *one*); English says "0 people".

    Example:
        >>> tn("common.people", 1), tn("common.people", 0), tn("common.people", 1309)
        ('1 person', '0 people', '1,309 people')
    """
    lang = lang or language()
    category = Locale.parse(lang).plural_form(abs(count))
    messages = catalogue(lang)
    chosen = f"{key}.{category}" if f"{key}.{category}" in messages else f"{key}.other"
    decimals = 0 if float(count).is_integer() else None
    return t(chosen, lang, count=number(count, decimals), **values)


def number(value: float, decimals: int | None = 0, *, sign: bool = False) -> str:
    """A number as the current language writes it: ``1,309.5`` in English, ``1 309,5`` in French.

    Args:
        value: the number (NaN gives ``–``).
        decimals: digits after the decimal mark, always shown; None: only those needed, up to 6
            (as ``:g`` does: ``1.5``, ``2``).
        sign: a plus sign before positive numbers (``+12``).

    Example:
        >>> number(1309), number(2.0, None), number(0.25, 2), number(12, sign=True)
        ('1,309', '2', '0.25', '+12')
    """
    if value != value:  # NaN
        return "–"
    if isinstance(value, float | int) and not abs(value) < 1e15:  # 1e308, 2**80, inf: no decimal pattern fits
        return _huge(value)
    pattern = "#,##0" + ("." + "#" * 6 if decimals is None else "." + "0" * decimals if decimals else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(value, format=pattern, locale=language())


def _huge(value: float) -> str:
    """A number too large for a decimal pattern: ``∞`` or ``1.2E20`` (the language's marks)."""
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "-∞"
    return format_scientific(float(value), format="0.###E0", locale=language())


def percent(share: float, decimals: int = 0) -> str:
    """A share (0..1) as a percentage in the current language: ``12%`` in English, ``12 %`` in French.

    Example:
        >>> percent(0.1234), percent(0.1234, 1)
        ('12%', '12.3%')
    """
    if share != share:  # NaN
        return "–"
    pattern = Locale.parse(language()).percent_formats[None].pattern
    if not abs(share) < 1e13:
        return _huge(share * 100) + pattern.rsplit("0", 1)[-1]
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals)
    return format_percent(share, format=pattern, locale=language())


def scenario_description(name: str, description: str) -> str:
    """A scenario's description in the current language: a shipped one from the catalogue, else its own.

    The catalogue's English text is the shipped file's (tested); a file whose description differs
    (edited, or another scenario of the same name) keeps its own words.

    Example:
        >>> scenario_description("my_page", "  My page,   calibrated. ")
        'My page, calibrated.'
    """
    own = " ".join(str(description).split())
    key = f"scenario.description.{name}"
    return t(key) if catalogue("en").get(key) == own else own
