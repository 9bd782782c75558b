"""The agreement versions cases were judged under, frozen in the database.

The county's agreement lives in data files (``samplan/agreements/data``). When a case starts, the
version then in force is stored here by content hash and the case points at it. Replacing or
editing the file later therefore changes new cases only: every decided case keeps the exact
rules it was judged by.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementVersionRecord(models.Model):
    version_id = models.CharField(_("version"), max_length=100)
    county = models.CharField(_("län"), max_length=100)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("överenskommelseversion")
        verbose_name_plural = _("överenskommelseversioner")

    def __str__(self) -> str:
        return self.version_id
