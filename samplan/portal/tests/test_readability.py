"""Plain Swedish: the LIX function, and every text a person reads in Min plan kept below LIX 40."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from samplan.discharge.rules import MEETING_PLACES
from samplan.people.models import AuthorityKind, CareContactRole, PortalScope
from samplan.portal.access import REPRESENTATIVE_ROLES
from samplan.portal.readability import (
    PATIENT_TEXT_MAX_LIX,
    lix,
    lix_of,
    text_segments,
    words_of,
)
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import full_case
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, represent
from samplan.testing.county import County

TEMPLATES = Path(settings.BASE_DIR) / "samplan" / "templates"
# Every template whose text a person (or their representative) reads: the portal's pages and
# sections, and the letter they are given at discharge (rendered by samplan.discharge).
PATIENT_TEMPLATES = sorted(
    [*TEMPLATES.glob("portal/**/*.html"), TEMPLATES / "discharge" / "letter.html"]
)


# --- lix() ------------------------------------------------------------------------------------


def test_lix_of_short_plain_sentences() -> None:
    # 7 words, 2 sentences, no word longer than six letters: 7 / 2 + 0.
    assert lix("Jag går hem. Det är kallt ute.") == pytest.approx(3.5)


def test_lix_counts_long_words_over_six_letters() -> None:
    # 3 words, 1 sentence, 3 long words: 3 / 1 + 100 * 3 / 3.
    assert lix("Sjukhuset skickar meddelandet.") == pytest.approx(103)
    # "sjukhus" has seven letters (long), "hemma" five: 4 / 1 + 100 * 1 / 4.
    assert lix("Hon kom hemma sjukhus") == pytest.approx(29)
    # Å, ä and ö are letters like any other: "önskemål" (8) is long.
    assert lix("Mitt önskemål.") == pytest.approx(2 / 1 + 100 * 1 / 2)


def test_lix_sentences_end_at_stops_and_breaks() -> None:
    assert lix_of(["Ring oss", "Vi svarar."]).sentences == 2
    # "Tid", "i dag", "Plats", "Hemma", "Ja": a colon ends a sentence too.
    assert lix("Tid: i dag. Plats? Hemma! Ja") == pytest.approx(6 / 5)


def test_numbers_and_punctuation_are_not_words() -> None:
    assert words_of("Ring 010-100 12 00, e-post: a@b.se") == ["Ring", "e-post", "a", "b", "se"]
    assert lix("") == 0
    assert lix("2026-05-01 10:30") == 0


@given(st.lists(st.sampled_from(["vi", "ses", "på", "vårdcentralen", "i", "morgon", "."])))
def test_lix_lies_between_sentence_length_and_that_plus_100(tokens: list[str]) -> None:
    result = lix_of([" ".join(tokens)])
    if result.words == 0:
        assert result.value == 0
        return
    average = result.words / result.sentences
    assert average <= result.value <= average + 100


def test_text_segments_follow_the_page_structure() -> None:
    html = (
        "<html><head><title>Min plan</title><style>p{}</style></head><body>"
        "<h1>Hej</h1><p>Du är <strong>inskriven</strong>.<br>Ring oss</p>"
        "<ul><li>Ett</li><li>Två</li></ul><script>var x;</script></body></html>"
    )
    assert text_segments(html) == ["Min plan", "Hej", "Du är inskriven.", "Ring oss", "Ett", "Två"]


# --- Every patient-facing template ------------------------------------------------------------

_TRANSLATE = re.compile(r"""{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
_BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
_VARIABLE = re.compile(r"{{.*?}}")


def translatable_texts(source: str) -> list[str]:
    """The Swedish texts a template shows, whatever branch renders: every {% translate %} and
    {% blocktranslate %} (placeholders dropped: names and dates are not the template's words)."""
    texts = [a or b for a, b in _TRANSLATE.findall(source)]
    texts += [_VARIABLE.sub(" ", body) for body in _BLOCK.findall(source)]
    return [" ".join(t.split()) for t in texts if t.strip()]


def test_the_list_of_patient_templates_is_complete() -> None:
    names = {str(p.relative_to(TEMPLATES)) for p in PATIENT_TEMPLATES}
    assert {"portal/overview.html", "portal/sections/stay.html", "discharge/letter.html"} <= names
    assert len(names) >= 14


@pytest.mark.parametrize(
    "template", PATIENT_TEMPLATES, ids=[str(p.relative_to(TEMPLATES)) for p in PATIENT_TEMPLATES]
)
def test_patient_template_text_is_easy_to_read(template: Path) -> None:
    texts = translatable_texts(template.read_text(encoding="utf-8"))
    assert texts, f"{template.name} shows no translatable text: is its text hard-coded?"
    result = lix_of(texts)
    assert result.value < PATIENT_TEXT_MAX_LIX, (
        f"LIX {result.value:.1f} ≥ {PATIENT_TEXT_MAX_LIX} "
        f"({result.words} ord, {result.sentences} meningar, {result.long_words} långa): {texts}"
    )


def test_labels_shown_to_the_person_are_easy_to_read() -> None:
    from samplan.portal.demo import DEMO_PERSONS  # noqa: F401 - the demo notes are below
    from samplan.portal.views import PORTAL_CALENDAR_TEXT

    labels = [
        *(str(label) for label in PortalScope.labels),
        *(str(label) for label in AuthorityKind.labels),
        *(str(role) for role in REPRESENTATIVE_ROLES.values()),
        *(str(label) for label in CareContactRole.labels),
        *MEETING_PLACES.values(),
        str(PORTAL_CALENDAR_TEXT),
        "Du är utloggad. Stäng webbläsaren om du delar dator med någon.",
        "Ligger på sjukhuset.",
        "Har åkt hem.",
    ]
    assert lix_of(labels).value < PATIENT_TEXT_MAX_LIX


# --- Rendered pages, with real data -----------------------------------------------------------


@pytest.mark.django_db
def test_rendered_portal_pages_are_easy_to_read(county: County, settings) -> None:
    settings.DEMO_MODE = True
    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    full_case(county, child, discharged=True)
    represent(child)
    person = county.person(given_name="Maj", family_name="Mottagare")
    full_case(county, person)
    represent(person, authority=AuthorityKind.TRUSTEE)
    own = citizen_client(person.identifier)
    guardian = citizen_client(GUARDIAN_NUMBER)
    overview = "portal:overview"
    pages = {
        "sign in": Client().get(reverse("portal:sign_in")),
        "demo": Client().get(reverse("portal:demo")),
        "own plan": own.get(reverse(overview, kwargs={"person_id": person.public_id})),
        "chooser": guardian.get(reverse("portal:home")),
        "child's plan": guardian.get(reverse(overview, kwargs={"person_id": child.public_id})),
        "nothing": citizen_client("190001019999").get(reverse("portal:home")),
        "not found": own.get(reverse(overview, kwargs={"person_id": child.public_id})),
    }
    failures = []
    for name, response in pages.items():
        assert response.status_code in (200, 404), name
        result = lix_of(text_segments(response.content.decode()))
        if result.value >= PATIENT_TEXT_MAX_LIX:
            failures.append(f"{name}: LIX {result.value:.1f}")
    assert not failures, failures
