from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "samplan.portal"
    verbose_name = "Min plan"
