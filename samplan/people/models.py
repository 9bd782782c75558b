"""The person registry: identity, folkbokföring, family, representatives and fixed contacts.

A protected identity's address is stored (it may be needed by Skatteverket's own processes) but
never leaves this module: templates, notices, letters and the API go through
:meth:`Person.visible_address`, which returns nothing for a protected identity.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samplan.directory.models import municipality_code_validator
from samplan.people.identifiers import IdentifierKind, PersonIdentifier


class Person(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier = models.CharField(_("identitetsnummer"), max_length=20, unique=True)
    identifier_kind = models.CharField(
        _("typ av nummer"),
        max_length=20,
        choices=[(k.value, k.value.capitalize()) for k in IdentifierKind],
    )
    birth_date = models.DateField(_("födelsedatum"))
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("postort"), max_length=100, blank=True)
    municipality_code = models.CharField(
        _("folkbokföringskommun (kommunkod)"),
        max_length=4,
        blank=True,
        validators=[municipality_code_validator],
    )
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)
    listed_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listad vårdcentral"),
        limit_choices_to={"kind": "primary_care", "is_active": True},
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def parsed_identifier(self) -> PersonIdentifier:
        return PersonIdentifier(
            IdentifierKind(self.identifier_kind), self.identifier, self.birth_date
        )

    @property
    def display_identifier(self) -> str:
        return self.parsed_identifier.display()

    def visible_address(self) -> list[str]:
        """Address lines that may be shown or sent; empty for a protected identity."""
        if self.protected_identity:
            return []
        postal = " ".join(p for p in (self.postal_code, self.city) if p)
        return [line for line in (self.street_address, postal) if line]


class Relative(models.Model):
    """Närstående: family or others close to the person. No legal authority by itself."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relatives")
    name = models.CharField(_("namn"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, help_text=_("T.ex. dotter, make."))
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("närstående")
        verbose_name_plural = _("närstående")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuthorityKind(models.TextChoices):
    GUARDIAN = "guardian", _("Vårdnadshavare")
    TRUSTEE = "trustee", _("God man")
    ADMINISTRATOR = "administrator", _("Förvaltare")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Fullmakt")


class PortalScope(models.TextChoices):
    """What a representative may do in Min plan, the person's portal (each includes the last)."""

    NONE = "none", _("Ingenting i Min plan")
    READ = "read", _("Se planen")
    PARTICIPATE = "participate", _("Se planen och delta (mål, önskemål, kommentarer)")
    FULL = "full", _("Se, delta och lämna eller återkalla samtycke")


class Representative(models.Model):
    """Företrädare: someone with recorded legal authority to act for the person.

    Never edited: an authority that ends early is withdrawn (``withdrawn_at`` with a reason, set
    once), and a changed authority is recorded as a new one.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="representatives")
    name = models.CharField(_("namn"), max_length=200)
    identifier = models.CharField(_("företrädarens personnummer"), max_length=20, blank=True)
    authority = models.CharField(
        _("typ av behörighet"), max_length=20, choices=AuthorityKind.choices
    )
    scope = models.CharField(
        _("omfattning"), max_length=300, blank=True, help_text=_("Vad behörigheten omfattar.")
    )
    valid_from = models.DateField(_("gäller från"))
    valid_until = models.DateField(_("gäller till och med"), null=True, blank=True)
    portal_scope = models.CharField(
        _("får i Min plan"),
        max_length=20,
        choices=PortalScope.choices,
        default=PortalScope.NONE,
        help_text=_("Vad företrädaren får se och göra när hen loggar in i Min plan."),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(_("skäl till återkallelsen"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("företrädare")
        verbose_name_plural = _("företrädare")
        ordering = ["authority", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_authority_display()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class CareContactRole(models.TextChoices):
    FAST_VARDKONTAKT = "fast_vardkontakt", _("Fast vårdkontakt")
    FAST_LAKARKONTAKT = "fast_lakarkontakt", _("Fast läkarkontakt")
    FAST_OMSORGSKONTAKT = "fast_omsorgskontakt", _("Fast omsorgskontakt")
    SAMMANHALLANDE_FAST_KONTAKT = "sammanhallande", _("Sammanhållande fast kontakt")


class CareContact(models.Model):
    """A fixed contact of the person; the person must be able to see who and how to reach them."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_contacts")
    role = models.CharField(_("typ av kontakt"), max_length=30, choices=CareContactRole.choices)
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("yrke/titel"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    valid_from = models.DateField(_("från"))
    ended_on = models.DateField(_("avslutad"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fast kontakt")
        verbose_name_plural = _("fasta kontakter")
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"
