from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from units.access import scope_for
from units.models import Assignment, Unit, Village


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin pages see only the user's subtrees, like every other page."""

    scope_field = "path"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(scope_for(request.user).visible_q(self.scope_field))
        )

    def has_change_permission(self, request, obj=None):
        ok = super().has_change_permission(request, obj)
        if ok and obj is not None:
            path = obj
            for part in self.scope_field.split("__"):
                path = getattr(path, part)
            return scope_for(request.user).can_administer(path)
        return ok

    has_delete_permission = has_change_permission


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "category", "code", "founded_on", "dissolved_on"]
    list_filter = ["kind", "category"]
    search_fields = ["name", "short_name", "code", "search_key"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent"]


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    scope_field = "commune__path"
    list_display = ["name", "kind", "commune", "cell"]
    search_fields = ["name"]
    raw_id_fields = ["commune", "cell"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    scope_field = "unit__path"
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    raw_id_fields = ["user", "unit"]
