from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsychiatryConfig(AppConfig):
    name = "samplan.psychiatry"
    label = "psychiatry"
    verbose_name = _("Psykiatri: samordnad vårdplan (SVPL)")
