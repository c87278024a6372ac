"""The Django admin, for administrators: read-only views of their subtree, and role assignment.

Units, villages and members change only through chibo's own pages, whose services keep the
tree's paths, validation and history; the admin shows them within the user's scope.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from units.access import scope_for
from units.models import Assignment, Unit, Village
from units.services import assignment_create, assignment_delete


def _administers(request) -> bool:
    scope = scope_for(request.user)
    return request.user.is_active and (scope.everything or bool(scope.administered))


class ReadOnlyAdminMixin:
    """An admin page that changes nothing: records change through the services, which check
    scope and leave history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Admin pages see only the user's subtrees, like every other page, and change nothing."""

    scope_field = "path"

    def get_queryset(self, request):
        scope = scope_for(request.user)
        return super().get_queryset(request).filter(scope.visible_q(self.scope_field))

    def has_module_permission(self, request):
        return _administers(request)

    def has_view_permission(self, request, obj=None):
        return _administers(request)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "category", "code", "founded_on", "dissolved_on"]
    list_filter = ["kind", "category"]
    search_fields = ["name", "short_name", "code", "search_key"]


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    scope_field = "commune__path"
    list_display = ["name", "kind", "commune", "cell"]
    search_fields = ["name"]
    list_select_related = ["commune", "cell"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    """Roles are given and taken here, through the services that check and record them."""

    scope_field = "unit__path"
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    raw_id_fields = ["user", "unit"]

    def has_add_permission(self, request):
        return _administers(request)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return _administers(request)
        return scope_for(request.user).can_administer(obj.unit.path)

    def save_model(self, request, obj, form, change):
        saved = assignment_create(user=obj.user, unit=obj.unit, role=obj.role, by=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        assignment_delete(assignment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            assignment_delete(assignment=assignment, by=request.user)


class ScopedUserAdmin(UserAdmin):
    """Administrators create accounts and manage those holding roles in their subtree.

    Only a superuser sees superusers or changes staff, superuser and permission flags.
    """

    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),
        (_("Permissions"), {"fields": ("is_active",)}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = scope_for(request.user)
        in_scope = Assignment.objects.filter(
            scope.administered_q("unit__path"), user=OuterRef("pk")
        )
        return queryset.filter(is_superuser=False).filter(
            Exists(in_scope) | ~Exists(Assignment.objects.filter(user=OuterRef("pk")))
        )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def has_module_permission(self, request):
        return _administers(request)

    def has_view_permission(self, request, obj=None):
        return _administers(request)

    def has_add_permission(self, request):
        return _administers(request)

    def has_change_permission(self, request, obj=None):
        if not _administers(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, ScopedUserAdmin)
