"""Administrators reset a user's two-factor device in Django admin (django-otp's own admin),
and each reset is recorded in the audit trail with who did it."""

from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import record
from accounts.audit_selectors import audit_events_for
from accounts.models import AuditEvent, AuditKind
from units.admin import ReadOnlyAdminMixin


def _removed(request, device: TOTPDevice) -> None:
    owner = device.user.get_username()
    record(AuditKind.TWO_FACTOR_REMOVED, request=request, object_repr=owner)


class AuditedTOTPDeviceAdmin(TOTPDeviceAdmin):
    def delete_model(self, request, obj):
        if obj.confirmed:
            _removed(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.filter(confirmed=True).select_related("user"):
            _removed(request, device)
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        if change and "confirmed" in form.changed_data and not obj.confirmed:
            _removed(request, obj)
        super().save_model(request, obj, form, change)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)


# --- The audit trail: read-only for everyone, superusers included ------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only trail, readable by those who may read the audit page; nobody can add,
    change or delete an event here."""

    list_display = ["at", "kind", "username", "ip", "path", "object_repr"]
    list_filter = ["kind"]
    search_fields = ["username", "object_repr", "path"]
    list_select_related = False
    show_full_result_count = False

    def get_queryset(self, request):
        events = audit_events_for(request.user)
        return events if events is not None else AuditEvent.objects.none()

    def has_module_permission(self, request):
        return audit_events_for(request.user) is not None

    def has_view_permission(self, request, obj=None):
        return audit_events_for(request.user) is not None


# --- end of the audit trail ---------------------------------------------------------------------
