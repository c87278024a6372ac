from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("reports")

    def ready(self):
        from reports.generation import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="chibo_data_generation")
