"""Plain Swedish: the LIX function, and every text a person reads in Min plan kept below LIX 40."""

from __future__ import annotations

import ast
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
# Every template whose text a person (or their representative) reads: the portal's pages,
# sections and error pages, the letter they are given at discharge (samplan.discharge), the
# SIP's letter (kallelse) and plan they get as PDF (samplan.sip.documents) and the samordnad
# vårdplan as PDF (samplan.psychiatry.documents).
PATIENT_TEMPLATES = sorted(
    [
        *TEMPLATES.glob("portal/**/*.html"),
        TEMPLATES / "discharge" / "letter.html",
        TEMPLATES / "sip" / "documents" / "letter.html",
        TEMPLATES / "sip" / "documents" / "plan.html",
        TEMPLATES / "psychiatry" / "documents" / "svpl.html",
    ]
)
PORTAL_SOURCES = sorted(
    p
    for p in (Path(settings.BASE_DIR) / "samplan" / "portal").glob("*.py")
    if p.name not in ("demo.py",)  # the demo sign-in's notes are checked with the labels
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
    assert {
        "portal/overview.html",
        "portal/sections/stay.html",
        "portal/wishes.html",
        "portal/404.html",
        "portal/403.html",
        "portal/403_csrf.html",
        "portal/405.html",
        "portal/500.html",
        "discharge/letter.html",
        "sip/documents/letter.html",
        "sip/documents/plan.html",
        "portal/sections/svpl.html",
        "psychiatry/documents/svpl.html",
    } <= names
    assert len(names) >= 24


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


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_GETTEXT = frozenset({"_", "gettext", "gettext_lazy", "ngettext", "pgettext"})


def gettext_literals(source: str) -> list[str]:
    """Every Swedish text a Python module marks for translation (both forms of an ngettext),
    placeholders dropped."""
    texts = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in _GETTEXT:
            continue
        for arg in node.args[: 2 if node.func.id == "ngettext" else 1]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                texts.append(" ".join(_PLACEHOLDER.sub(" ", arg.value).split()))
    return [t for t in texts if t]


def test_every_text_the_portals_code_shows_is_easy_to_read() -> None:
    """Flash messages, form labels and help texts, Swedish errors (form and service), calendar
    texts, the plain sentences of what changed in the plan: every gettext literal in the
    portal's modules."""
    texts = [
        text
        for path in PORTAL_SOURCES
        for text in gettext_literals(path.read_text(encoding="utf-8"))
    ]
    assert len(texts) > 60, "the portal's texts are marked for translation"
    for expected in (
        "Texten är för lång. Skriv högst tecken. Nu är det .",  # form error
        "Skriv din kommentar först.",  # form error
        "Planen är avslutad.",  # service error
        "Tack! Personalen ser din kommentar.",  # flash message
        "Möte om din samordnade individuella plan (SIP).",  # calendar text
        "Vad tycker du?",  # form label
    ):
        assert expected in texts, expected
    result = lix_of(texts)
    assert result.value < PATIENT_TEXT_MAX_LIX, (
        f"LIX {result.value:.1f} ({result.words} ord, {result.long_words} långa)"
    )


def test_labels_shown_to_the_person_are_easy_to_read() -> None:
    from samplan.discharge.models import StatementKind
    from samplan.discharge.rules.places import Audience, meeting_place
    from samplan.sip.models import PreparationKind
    from samplan.sip.plan import ORGANISATION_KIND_LABELS, PERSON_ACTION_STATUS_LABELS

    labels = [
        *(str(label) for label in PortalScope.labels),
        *(str(role) for role in REPRESENTATIVE_ROLES.values()),
        *(str(label) for label in CareContactRole.labels),
        *(str(label) for label in StatementKind.labels),  # the wishes page's list
        *(str(label) for label in PreparationKind.labels if label != "Kartläggning"),
        *PERSON_ACTION_STATUS_LABELS.values(),
        *ORGANISATION_KIND_LABELS.values(),
        *(
            meeting_place(
                place_kind=kind, location="", protected_identity=False, audience=Audience.PERSON
            ).label
            for kind in MEETING_PLACES
        ),
        "Ligger på sjukhuset.",  # the demo sign-in's notes (samplan.portal.demo)
        "Har åkt hem.",
        "Har en plan (SIP).",
        "Har en plan från psykiatrin.",
        "för .",
    ]
    result = lix_of(labels)
    assert result.value < PATIENT_TEXT_MAX_LIX, f"LIX {result.value:.1f}: {labels}"


def test_the_staff_words_for_statuses_would_not_do() -> None:
    """Why the person reads their own status words: the staff's are twice as hard."""
    from samplan.sip.plan import ACTION_STATUS_LABELS, PERSON_ACTION_STATUS_LABELS

    assert lix_of(list(ACTION_STATUS_LABELS.values())).value >= PATIENT_TEXT_MAX_LIX
    assert lix_of(list(PERSON_ACTION_STATUS_LABELS.values())).value < 10


def every_kind_of_change() -> list:
    """A plan and its next version differing in every way plan_diff can tell."""
    from samplan.sip.plan import PlanContent, plan_diff

    old = PlanContent.model_validate(
        {
            "long_term_goal": "Bo kvar hemma",
            "goals": [
                {"id": "g1", "text": "Gå till affären", "measure": "En gång i veckan"},
                {"id": "g2", "text": "Laga mat", "measure": ""},
            ],
            "needs": ["Hjälp med dusch"],
            "actions": [
                {
                    "id": "a1",
                    "what": "Hemtjänst",
                    "organisation_kind": "municipality",
                    "organisation": "Kommunen",
                    "responsible": "Bo",
                    "due": "2026-05-01",
                },
                {
                    "id": "a2",
                    "what": "Rollator",
                    "organisation_kind": "region",
                    "organisation": "Vårdcentralen",
                },
            ],
            "lead_organisation": "Vårdcentralen",
            "follow_up_on": "2026-06-01",
            "follow_up_by": "Fia",
        }
    )
    new = PlanContent.model_validate(
        {
            "long_term_goal": "Bo kvar hemma och träffa vänner",
            "goals": [
                {"id": "g1", "text": "Gå till affären själv", "measure": "Två gånger i veckan"},
                {"id": "g3", "text": "Ringa min syster", "measure": ""},
            ],
            "needs": ["Hjälp att handla"],
            "actions": [
                {
                    "id": "a1",
                    "what": "Hemtjänst morgon",
                    "organisation_kind": "other",
                    "organisation": "Dottern Eva",
                    "responsible": "Eva",
                    "due": "2026-05-15",
                    "status": "ongoing",
                },
                {
                    "id": "a3",
                    "what": "Matlåda",
                    "organisation_kind": "municipality",
                    "organisation": "Kommunen",
                    "due": "2026-04-20",
                },
            ],
            "lead_organisation": "Kommunen",
            "follow_up_on": "2026-07-01",
            "follow_up_by": "Bo",
        }
    )
    return plan_diff(old, new)


def test_what_changed_in_the_plan_is_said_plainly_to_the_person() -> None:
    from samplan.portal.plan_words import person_sentence

    changes = every_kind_of_change()
    kinds = {c.kind for c in changes}
    assert kinds >= {
        "goal",
        "subgoal_added",
        "subgoal_changed",
        "subgoal_measure",
        "subgoal_removed",
        "need_added",
        "need_removed",
        "action_added",
        "action_what",
        "action_organisation",
        "action_responsible",
        "action_due",
        "action_status",
        "action_removed",
        "lead",
        "follow_up_on",
        "follow_up_by",
    }
    staff = [c.text for c in changes]
    person = [person_sentence(c) for c in changes]
    assert not set(staff) & set(person), "each change gets the person's own sentence"
    assert "Läget för ”Hemtjänst morgon”: pågår." in person
    assert "Ny hjälp: ”Matlåda”. Det gör Kommunen. Klart senast 2026-04-20." in person
    assert lix_of(person).value < min(PATIENT_TEXT_MAX_LIX, lix_of(staff).value)


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


def _failures(pages: dict) -> list[str]:
    failures = []
    for name, response in pages.items():
        assert response.status_code in (200, 403, 404, 405), name
        result = lix_of(text_segments(response.content.decode()))
        if result.value >= PATIENT_TEXT_MAX_LIX:
            failures.append(f"{name}: LIX {result.value:.1f}")
    return failures


@pytest.mark.django_db
def test_rendered_sip_wishes_and_error_pages_are_easy_to_read(county: County, time_machine) -> None:
    from samplan.portal.tests.test_sip import established_sip
    from samplan.testing.sip import start_outpatient_sip

    process, _meeting = established_sip(county, time_machine)
    person = process.person
    own = citizen_client(person.identifier)
    overview = reverse("portal:overview", kwargs={"person_id": person.public_id})
    sip_ids = {"person_id": person.public_id, "sip_id": process.public_id}
    child = county.person(given_name="Kim", birth_date=date(2015, 3, 3))
    child_sip = start_outpatient_sip(county, child)
    represent(child, portal_scope=PortalScope.FULL)
    stay_person = county.person(given_name="Maj")
    stay = full_case(county, stay_person).stay
    stay_wishes = reverse(
        "portal:stay_wishes",
        kwargs={"person_id": stay_person.public_id, "stay_id": stay.public_id},
    )
    in_hospital = citizen_client(stay_person.identifier)
    csrf = citizen_client(person.identifier)
    csrf.handler.enforce_csrf_checks = True
    from samplan.psychiatry.tests import helpers as psych

    pc = psych.make_psych_county(county)
    svpl = psych.start(pc, psych.psych_case(pc), basis="lpt_7a")
    psych.save(pc, svpl)
    psych.establish(pc, svpl)
    svpl_person = svpl.stay.person
    svpl_client = citizen_client(svpl_person.identifier)
    pages = {
        "established SIP": own.get(overview),
        "SIP wishes": own.get(reverse("portal:sip_wishes", kwargs=sip_ids)),
        "SIP wishes with errors": own.post(reverse("portal:sip_wishes", kwargs=sip_ids), {}),
        "comment with errors": own.post(
            reverse("portal:sip_respond", kwargs=sip_ids), {"comment": " "}
        ),
        "child's own SIP": citizen_client(child.identifier).get(
            reverse("portal:overview", kwargs={"person_id": child.public_id})
        ),
        "guardian's SIP view": citizen_client(GUARDIAN_NUMBER).get(
            reverse("portal:overview", kwargs={"person_id": child.public_id})
        ),
        "child's view with errors": citizen_client(child.identifier).post(
            reverse(
                "portal:sip_child_view",
                kwargs={"person_id": child.public_id, "sip_id": child_sip.public_id},
            ),
            {},
        ),
        "stay wishes": in_hospital.get(stay_wishes),
        "stay wishes with errors": in_hospital.post(stay_wishes, {"important": "x" * 3001}),
        "established SVPL": svpl_client.get(
            reverse("portal:overview", kwargs={"person_id": svpl_person.public_id})
        ),
        "SVPL comment with errors": svpl_client.post(
            reverse(
                "portal:svpl_respond",
                kwargs={"person_id": svpl_person.public_id, "plan_id": svpl.public_id},
            ),
            {"comment": " "},
        ),
        "404": own.get("/min-plan/finns-inte/"),
        "405": own.get(reverse("portal:sign_out")),
        "CSRF": csrf.post(reverse("portal:sign_out")),
    }
    assert not _failures(pages), _failures(pages)
