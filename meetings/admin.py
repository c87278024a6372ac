"""Meetings in the Django admin: read-only, within the administrator's subtree."""

from django.contrib import admin

from meetings.models import Meeting, ThematicPlan
from units.admin import ScopedAdmin


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    scope_field = "cell__path"
    list_display = ["held_on", "cell", "kind", "present_count", "expected_count"]
    list_select_related = ["cell"]
    date_hierarchy = "held_on"


@admin.register(ThematicPlan)
class ThematicPlanAdmin(ScopedAdmin):
    scope_field = "cell__path"
    list_display = ["year", "quarter", "cell", "topic", "status"]
    list_select_related = ["cell"]
