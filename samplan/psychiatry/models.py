"""The samordnad vårdplan (SVPL) of a psychiatric discharge case, as append-only records.

One :class:`CoordinatedCarePlanLpt` per discharge case holds the working draft under optimistic
versioning (``draft_revision`` goes up by one on every save; a save based on an older revision
is refused). Everything else is written once: every saved draft revision, every unit's approval
(justering) of a revision, every established version and the plan's timeline. Established
versions and approvals are immutable in the ORM (:class:`~samplan.core.records.AppendOnly`) and
in the database (triggers on PostgreSQL and SQLite, :mod:`samplan.core.append_only`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samplan.core.records import (
    AppendOnly,
    DraftRevisionBase,
    EstablishedVersionBase,
    TimelineEventBase,
)
from samplan.psychiatry.rules import LegalBasis as LegalBasisValue


class LegalBasis(models.TextChoices):
    """Values as :class:`samplan.psychiatry.rules.LegalBasis`."""

    LPT_7A = LegalBasisValue.LPT_7A.value, _("LPT 7 a § – öppen psykiatrisk tvångsvård (ÖPT)")
    LRV_12A = LegalBasisValue.LRV_12A.value, _("LRV 12 a § – öppen rättspsykiatrisk vård (ÖRV)")


class CoordinatedCarePlanLpt(models.Model):
    """Samordnad vårdplan enligt LPT 7 a § / LRV 12 a § in one discharge case, with its draft."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stay = models.OneToOneField(
        "discharge.InpatientStay", on_delete=models.PROTECT, related_name="svpl"
    )
    legal_basis = models.CharField(_("rättslig grund"), max_length=10, choices=LegalBasis.choices)
    ready_notice = models.OneToOneField(
        "discharge.Message",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("underrättelse enligt LPT/LRV"),
    )
    started_at = models.DateTimeField(_("påbörjad"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    draft_content = models.JSONField(default=dict)
    draft_revision = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    draft_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draft_saved_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Cached: the number and draft revision of the latest established version (0 and None: none
    # yet), written by the service that establishes it, in the same transaction.
    established_number = models.PositiveIntegerField(default=0)
    established_revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("samordnad vårdplan (SVPL)")
        verbose_name_plural = _("samordnade vårdplaner (SVPL)")

    def __str__(self) -> str:
        return f"SVPL {self.stay_id} ({self.get_legal_basis_display()})"


class SvplDraftRevision(DraftRevisionBase):
    """Every saved revision of the draft: nothing a writer saved is lost. Revision 0 is the
    draft as the plan was started."""

    plan = models.ForeignKey(
        CoordinatedCarePlanLpt, on_delete=models.PROTECT, related_name="draft_revisions"
    )

    class Meta(DraftRevisionBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["plan", "revision"], name="unique_svpl_draft_revision")
        ]


class SvplApproval(AppendOnly):
    """One unit's justering of one draft revision, by one of its members. A later change of the
    draft leaves it in place but void (it approved another revision)."""

    plan = models.ForeignKey(
        CoordinatedCarePlanLpt, on_delete=models.PROTECT, related_name="approvals"
    )
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField()
    approved_at = models.DateTimeField(_("justerad"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("justering")
        verbose_name_plural = _("justeringar")
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "revision"], name="unique_svpl_approval"
            )
        ]

    def __str__(self) -> str:
        return f"Justerad rev. {self.revision} av {self.unit_id}"


class SvplVersion(EstablishedVersionBase):
    """An established version: the draft revision every unit approved. Immutable. Unlike a SIP
    version nobody establishes it: the last unit's approval (:class:`SvplApproval`) does."""

    plan = models.ForeignKey(
        CoordinatedCarePlanLpt, on_delete=models.PROTECT, related_name="versions"
    )

    class Meta(EstablishedVersionBase.Meta):
        verbose_name = _("fastställd samordnad vårdplan")
        verbose_name_plural = _("fastställda samordnade vårdplaner")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_svpl_version")
        ]


class SvplEventKind(models.TextChoices):
    STARTED = "started", _("Samordnad vårdplan påbörjad, underrättelse enligt LPT/LRV skickad")
    DRAFT_SAVED = "draft_saved", _("Utkast sparat")
    APPROVED = "approved", _("Justerad")
    ESTABLISHED = "established", _("Fastställd")
    # What the person (or a representative) did in Min plan: no actor or unit, the author's
    # name from the e-ID in the summary (samplan.portal.services.svpl_respond).
    PLAN_COMMENTED = "plan_commented", _("Kommentar till planen från Min plan")
    PLAN_READ_CONFIRMED = "plan_read_confirmed", _("Planen läst i Min plan")


class SvplEvent(AppendOnly, TimelineEventBase):
    """The plan's timeline: who, for which unit, did what and when."""

    plan = models.ForeignKey(
        CoordinatedCarePlanLpt, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=SvplEventKind.choices)

    class Meta(TimelineEventBase.Meta):
        indexes = [models.Index(fields=["plan", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
