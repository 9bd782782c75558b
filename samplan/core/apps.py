from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samplan.core"
    label = "core"
    verbose_name = _("Samplan")

    def ready(self) -> None:
        from samplan.core.immutable import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="samplan_sqlite_fns")
