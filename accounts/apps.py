from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts and audit")

    def ready(self):
        # signals: sign-in events; role_audit: role changes (both into the audit trail).
        from accounts import permissions, role_audit, signals  # noqa: F401

        role_audit.connect()
        permissions.connect()
