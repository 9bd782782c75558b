from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff. What they may do depends on the membership they act under."""

    hsa_id = models.CharField(_("HSA-id (person)"), max_length=44, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
