from django.contrib import admin

from reports.models import Resolution, Target
from units.admin import ScopedAdmin


@admin.register(Resolution)
class ResolutionAdmin(ScopedAdmin):
    scope_field = "issuer__path"
    list_display = ["number", "issuer", "title", "start_year", "end_year"]
    search_fields = ["number", "title"]
    list_select_related = ["issuer"]


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    scope_field = "unit__path"
    list_display = ["resolution", "unit", "kind", "year", "value"]
    list_filter = ["kind"]
    list_select_related = ["resolution", "unit"]
