"""A question's choices (its parameters) as one plain HTML form, and their values read back
from the address.

The form is a ``GET questions`` form: the explorer's same-tab script turns its submission
into an address change (without the script the browser loads the address), and the page
answers what the address says. So the address always holds the choices, and the browser
draws the form at once: no widget script to load in each new tab.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from collabkg.errors import CollabkgError

FIELD_KINDS = ("choice", "integer", "date", "text")


@dataclass(frozen=True)
class ParamField:
    """One choice of a question, as the form shows it."""

    name: str
    """The parameter's name (the address's key)."""
    label: str
    kind: str
    """One of ``FIELD_KINDS``: a list of names (IRIs), a whole number, a date or text."""
    value: str = ""
    """The value shown (a CURIE for a choice); "" when none is chosen."""
    options: tuple[tuple[str, str], ...] = ()
    """(value, label) of each choice listed, for ``kind == "choice"``."""
    help: str = ""
    find: str = ""
    """Part of a name that narrows a long list of choices (the address's ``find-<name>``)."""
    total: int = 0
    """How many choices there are when ``options`` lists only some (0: it lists them all)."""
    matching: int = 0
    """How many choices ``find`` keeps (when ``total`` is set)."""
    kept_outside: bool = False
    """The value chosen is listed although its name does not hold ``find`` (a link named
    both): the list says so."""


FIND_PREFIX = "find-"
"""The address's key for the text that narrows a choice's list: ``find-<name>``."""
LISTED_PREFIX = "listed-"
"""The form's hidden ``listed-<name>``: the text the list on screen was narrowed by, after
:data:`LISTED_MARK`. A ``find-<name>`` different from it is a new Find (the form is sent as
an address, which does not say which button was pressed)."""
LISTED_MARK = "by:"
"""Opens every ``listed-<name>`` value: never empty (the explorer's script leaves empty
values out of the address, which would then look like a link rather than the form)."""


def listed_with(raw: str | None) -> str | None:
    """The text the list on screen was narrowed by, from the address's ``listed-<name>``
    (None when the address has none, or not one the form wrote: a link)."""
    if raw is None or not raw.startswith(LISTED_MARK):
        return None
    return raw[len(LISTED_MARK) :]


def holds(options: Sequence[tuple[str, str]], value: str, find: str) -> bool:
    """Whether the name of choice ``value`` holds ``find`` (any case), as :func:`narrow_options`
    keeps names; every name holds an empty ``find``."""
    wanted = find.casefold().strip()
    return not wanted or any(v == value and wanted in label.casefold() for v, label in options)


def after_find(
    options: Sequence[tuple[str, str]],
    value: str | None,
    find: str,
    narrowed_by: str | None,
) -> str | None:
    """The choice once a Find is done: a new Find (``find`` is not the text the list on
    screen was narrowed by, ``narrowed_by``; None when the address came from a link, not the
    form) keeps the choice only when its name holds ``find``, else nothing is chosen and
    the list asks for a choice among the names found. Keeping a choice the list no longer
    shows answered again for a name the person had just searched away from; choosing the
    first name found would answer for a name they never chose."""
    if value and narrowed_by is not None and narrowed_by.strip() != find.strip():
        return value if holds(options, value, find) else None
    return value


def narrow_options(
    options: Sequence[tuple[str, str]], find: str, chosen: str, limit: int
) -> tuple[tuple[tuple[str, str], ...], int]:
    """The choices to list out of ``options`` ((value, label), in their order): those whose
    label holds ``find`` (any case), at most ``limit``, and the one ``chosen`` always
    (first, when it is not among them); and how many ``find`` keeps. A list of every name
    in a large graph (10,000 at a million triples) is more than a person reads or a page
    should carry."""
    wanted = find.casefold().strip()
    kept = [o for o in options if wanted in o[1].casefold()] if wanted else list(options)
    shown = kept[: max(limit, 0)]
    if chosen and all(value != chosen for value, _ in shown):
        shown = [o for o in options if o[0] == chosen][:1] + shown
    return tuple(shown), len(kept)


def param_value(
    kind: str,
    given: str | None,
    default: str | None,
    options: Collection[str] = (),
    *,
    canonical: Mapping[str, str] | None = None,
) -> tuple[str | None, bool]:
    """The value of one choice from the address: (value or None, whether the address
    named something the page cannot use).

    No value in the address gives the default (None where there is none, or where a
    choice's default is not among ``options``). A value the page cannot use gives None and
    True: a broken link asks for a choice and never answers for another. For a choice,
    ``canonical`` maps what the address may say (a CURIE or a full IRI) to the option's
    value. A choice named empty (``?policy=``, which the form never sends) is broken too: it
    asks for a choice rather than answer for the default."""
    if kind == "choice" and given is not None and not given.strip():
        return None, True
    if not given:
        if default and (kind != "choice" or default in options):
            return default, False
        return None, False
    if kind == "choice":
        value = (canonical or {}).get(given, given)
        return (value, False) if value in options else (None, True)
    if kind == "integer":
        text = given.strip()
        digits = text[1:] if text[:1] in "+-" else text
        return (str(int(text)), False) if digits.isdigit() else (None, True)
    if kind == "date":
        try:
            return dt.date.fromisoformat(given.strip()).isoformat(), False
        except ValueError:
            return None, True
    return given, False


def params_form_html(
    query_id: str, fields: Sequence[ParamField], *, keep: Mapping[str, str] | None = None
) -> str:
    """The choices of question ``query_id`` as one form: a labelled ``<select>`` per list of
    names (a name must be chosen), an input per number, date or text, and a button.
    ``keep`` are address parameters the answer keeps when the choices change (the view)."""

    def esc(text: str) -> str:
        return html.escape(str(text), quote=True)

    parts = [
        '<form class="ck-filters ck-params" action="questions" method="get" '
        'aria-label="Choices for this question">',
        f'<input type="hidden" name="q" value="{esc(query_id)}">',
        *(
            f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
            for name, value in (keep or {}).items()
        ),
        '<div class="ck-filter-fields">',
    ]
    for field in fields:
        if field.kind not in FIELD_KINDS:
            raise CollabkgError(f"unknown kind of choice {field.kind!r} for {field.name!r}")
        box = f"ck-param-{esc(field.name)}"
        described = f' aria-describedby="{box}-help"' if field.help else ""
        if field.kind == "choice":
            chosen = field.value if any(v == field.value for v, _ in field.options) else ""
            prompt = (
                f'<option value="" disabled{" selected" if not chosen else ""}>'
                f"Choose {esc(field.label.lower())}…</option>"
            )
            options = "".join(
                f'<option value="{esc(value)}"{" selected" if value == chosen else ""}>'
                f"{esc(label)}</option>"
                for value, label in field.options
            )
            finder = ""
            required = " required"
            if field.total:  # a long list: a box narrows it (nothing need be chosen yet)
                required = ""
                finder = (
                    f'<span class="ck-find"><label for="{box}-find">Find '
                    f"{esc(field.label.lower())} by name</label> "
                    f'<input id="{box}-find" type="search" '
                    f'name="{FIND_PREFIX}{esc(field.name)}" value="{esc(field.find)}" '
                    f'placeholder="Part of a name"> '
                    f'<input type="hidden" name="{LISTED_PREFIX}{esc(field.name)}" '
                    f'value="{esc(LISTED_MARK + field.find)}"> <button type="submit">Find</button> '
                    f"<span>{_listed_note(field)}</span></span>"
                )
            control = (
                f"{finder}"
                f'<select id="{box}" name="{esc(field.name)}"{required}{described}>'
                f"{prompt}{options}</select>"
            )
        else:
            kind = {"integer": "number", "date": "date", "text": "text"}[field.kind]
            step = ' step="1"' if field.kind == "integer" else ""
            control = (
                f'<input id="{box}" type="{kind}" name="{esc(field.name)}"{step} '
                f'value="{esc(field.value)}"{described}>'
            )
        helptext = (
            f'<span id="{box}-help" class="ck-help">{esc(field.help)}</span>' if field.help else ""
        )
        parts.append(
            f'<div class="ck-param"><label for="{box}">{esc(field.label)}</label>'
            f"{control}{helptext}</div>"
        )
    parts.append(
        '</div><div class="ck-filter-actions"><button type="submit">Show the answer</button>'
        "</div></form>"
    )
    return "".join(parts)


def _listed_note(field: ParamField) -> str:
    """How many of a long list's choices there are, and how many are listed."""
    if field.find:
        kept = f"{field.matching:,} of {field.total:,} names hold “{field.find}”"
    else:
        kept = f"{field.total:,} names"
    chosen = next((label for value, label in field.options if value == field.value), "")
    outside = (
        f" “{chosen}”, chosen, is listed first: its name does not hold “{field.find}”."
        if field.kept_outside and chosen
        else ""
    )
    listed = len(field.options) - (1 if outside else 0)
    if field.matching > listed:
        return html.escape(f"{kept}; the first {listed:,} are listed.{outside}")
    return html.escape(f"{kept}.{outside}")
