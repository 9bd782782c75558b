from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samplan.core"
    label = "core"
    verbose_name = _("Samplan")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from samplan.core.append_only import register_guard_function

        connection_created.connect(register_guard_function, dispatch_uid="samplan-append-only")
