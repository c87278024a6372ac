"""Sign-in, two-factor and the audit trail of sensitive access."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("sign-in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOGOUT = "logout", _("sign-out")
    LOCKOUT = "lockout", _("account locked")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("two-factor turned on")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("two-factor code accepted")
    TWO_FACTOR_FAILED = "2fa_failed", _("two-factor code refused")
    TWO_FACTOR_REMOVED = "2fa_removed", _("two-factor turned off")
    DENIED = "denied", _("access refused")
    EXPORT = "export", _("export")
    SENSITIVE_VIEW = "sensitive_view", _("sensitive fields viewed")
    ROLE_CHANGE = "role_change", _("role changed")
    BACKUP = "backup", _("backup")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Nhật ký truy cập: one sign-in, refusal, export or view of sensitive data. Append-only.

    Never holds a password, a session key or a full citizen ID: `detail` is written only by
    `accounts.audit.record`, which masks them.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=AuditKind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="audit_events",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    # The name typed at sign-in, kept when no such user exists.
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    # The unit whose data was reached (an export's scope, a member's cell), by id path.
    unit_path = models.CharField(_("unit"), max_length=255, blank=True)
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        # The right to see sensitive fields in full is a permission held by users (or their
        # groups), granted by an admin; it is declared here, with the trail that records its use.
        permissions = [
            (
                "view_sensitive_fields",
                _("Can see citizen IDs, religion, phones and addresses in full"),
            ),
            ("view_audit_trail", _("Can read the audit trail")),
        ]
        indexes = [
            # audit page: one user's events, newest first
            models.Index(fields=["user", "-at"], name="accounts_audit_user_at"),
            # audit page: events of one kind, newest first
            models.Index(fields=["kind", "-at"], name="accounts_audit_kind_at"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} · {self.get_kind_display()} · {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
