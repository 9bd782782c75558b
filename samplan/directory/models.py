"""Organisations (huvudmän), their units (enheter) and staff memberships (medarbetaruppdrag)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hsa_id_validator = RegexValidator(
    regex=r"^SE\d{10}-[0-9A-Za-z]{1,31}$",
    message=_(
        "HSA-id ska ha formen SE + tio siffror + bindestreck + 1–31 tecken, t.ex. "
        "SE2321000016-1234."
    ),
)
municipality_code_validator = RegexValidator(
    regex=r"^\d{4}$", message=_("Kommunkoden ska bestå av fyra siffror, t.ex. 2180.")
)


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Kommun")
    PRIVATE_PROVIDER = "private_provider", _("Privat vårdgivare")


class Organisation(models.Model):
    """A huvudman: the region, a municipality or a private provider under contract."""

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=OrganisationKind.choices)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    municipality_code = models.CharField(
        _("kommunkod"), max_length=4, blank=True, validators=[municipality_code_validator]
    )

    class Meta:
        verbose_name = _("huvudman")
        verbose_name_plural = _("huvudmän")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="municipality_has_code",
                condition=(
                    models.Q(kind="municipality", municipality_code__regex=r"^\d{4}$")
                    | (~models.Q(kind="municipality") & models.Q(municipality_code=""))
                ),
            ),
            models.UniqueConstraint(
                fields=["municipality_code"],
                condition=~models.Q(municipality_code=""),
                name="unique_municipality_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    HOSPITAL = "hospital", _("Sjukhus")
    INPATIENT_WARD = "inpatient_ward", _("Slutenvårdsavdelning")
    PRIMARY_CARE = "primary_care", _("Vårdcentral")
    SPECIALIST_OUTPATIENT = "specialist_outpatient", _("Specialistmottagning")
    SOCIAL_SERVICES = "social_services", _("Socialtjänst")
    MUNICIPAL_HEALTH_CARE = "municipal_health_care", _("Kommunal hälso- och sjukvård")
    ADMINISTRATION = "administration", _("Administration")


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class Unit(models.Model):
    """An enhet: a ward, vårdcentral, social services or municipal health care unit."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("huvudman")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("ingår i"),
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("enhetstyp"), max_length=30, choices=UnitKind.choices)
    hsa_id = models.CharField(
        _("HSA-id"), max_length=44, unique=True, validators=[hsa_id_validator]
    )
    is_psychiatric = models.BooleanField(_("psykiatrisk enhet"), default=False)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    visiting_address = models.CharField(_("besöksadress"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def municipality_code(self) -> str:
        return self.organisation.municipality_code


class Role(models.TextChoices):
    NURSE_COORDINATOR = "nurse_coordinator", _("Sjuksköterska/vårdsamordnare")
    PHYSICIAN = "physician", _("Läkare")
    HEAD_OF_UNIT = "head_of_unit", _("Verksamhetschef")
    NEEDS_ASSESSOR = "needs_assessor", _("Biståndshandläggare")
    MUNICIPAL_NURSE = "municipal_nurse", _("Sjuksköterska, kommunal hälso- och sjukvård")
    LOCAL_ADMIN = "local_admin", _("Lokal administratör")
    LOG_REVIEWER = "log_reviewer", _("Logggranskare")
    ANALYST = "analyst", _("Analytiker")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, unit__is_active=True)


class Membership(models.Model):
    """A medarbetaruppdrag: the user acts for this unit in this role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("roll"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("medarbetaruppdrag")
        verbose_name_plural = _("medarbetaruppdrag")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"
