"""The access log required by patientdatalagen: who read or changed whose data, when and why.

Append-only. The model refuses updates and deletes, a database trigger refuses them on
PostgreSQL, and every entry carries an HMAC hash chained to the previous one, so any change
made behind the application's back is found by ``manage.py verify_access_log``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogIsAppendOnly(Exception):
    pass


class AccessAction(models.TextChoices):
    READ = "read", _("Läsning")
    CREATE = "create", _("Registrering")
    UPDATE = "update", _("Ändring")
    LOOKUP = "lookup", _("Sökning")
    DENIED = "denied", _("Nekad åtkomst")
    EXPORT = "export", _("Utskrift/export")
    LOG_REVIEW = "log_review", _("Logguppföljning")


class AccessPurpose(models.TextChoices):
    CARE = "care", _("Vård och behandling")
    CARE_COORDINATION = "care_coordination", _("Samordning av vård och omsorg")
    EMERGENCY = "emergency", _("Nödåtkomst")
    ADMINISTRATION = "administration", _("Administration")
    LOG_REVIEW = "log_review", _("Logguppföljning")
    FOLLOW_UP = "follow_up", _("Uppföljning och statistik")
    OWN_ACCESS = "own_access", _("Personens egen åtkomst")
    REPRESENTATIVE = "representative", _("Företrädarens åtkomst för personen")


LIST_OBJECT_PREFIX = "list:"
"""The ``object_type`` of an entry for a person shown in a list (a work list) starts with this;
the rest names the list (:class:`samplan.audit.services.ListRead`)."""


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AccessLogIsAppendOnly("The access log cannot be updated.")

    def delete(self) -> NoReturn:
        raise AccessLogIsAppendOnly("The access log cannot be deleted from.")


class AccessLogEntry(models.Model):
    at = models.DateTimeField(_("tidpunkt"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("användare"),
    )
    username = models.CharField(_("användarnamn"), max_length=150)
    unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("enhet"),
    )
    unit_hsa_id = models.CharField(_("enhetens HSA-id"), max_length=44, blank=True)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    action = models.CharField(_("händelse"), max_length=20, choices=AccessAction.choices)
    object_type = models.CharField(_("objekttyp"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    purpose = models.CharField(_("syfte"), max_length=30, choices=AccessPurpose.choices)
    protected_identity = models.BooleanField(_("skyddad identitet"), default=False)
    emergency = models.BooleanField(_("nödåtkomst"), default=False)
    detail = models.CharField(_("detalj"), max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("loggpost")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["person", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["unit", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AccessLogIsAppendOnly("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AccessLogIsAppendOnly("Access log entries cannot be deleted.")

    @property
    def is_list_read(self) -> bool:
        """The person was shown in a list (name, personnummer), not opened."""
        return self.object_type.startswith(LIST_OBJECT_PREFIX)


class AccessLogChainHead(models.Model):
    """One row holding the newest hash; updating it first serialises concurrent writers."""

    last_hash = models.CharField(max_length=64)
    entry_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("loggkedjans huvud")

    def __str__(self) -> str:
        return f"{self.entry_count} poster, senast {self.last_hash[:12]}"
