from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SipConfig(AppConfig):
    name = "samplan.sip"
    label = "sip"
    verbose_name = _("Samordnad individuell plan (SIP)")
