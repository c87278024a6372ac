from django.contrib import admin

from members.models import Candidate, Member, MembershipEvent
from units.admin import ScopedAdmin


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    scope_field = "unit__path"
    list_display = ["full_name", "sex", "birth_date", "ethnicity", "unit", "status"]
    list_filter = ["status", "sex", "ethnicity"]
    search_fields = ["search_key", "citizen_id", "card_number"]
    list_select_related = ["unit"]
    ordering = ["sort_key"]


@admin.register(Candidate)
class CandidateAdmin(ScopedAdmin):
    scope_field = "unit__path"
    list_display = ["full_name", "birth_date", "unit", "cell_resolution_on", "decision_on"]
    search_fields = ["search_key", "citizen_id"]
    list_select_related = ["unit"]
    raw_id_fields = ["sponsor_1", "sponsor_2", "member", "residence_village"]
    ordering = ["sort_key"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ScopedAdmin):
    """Read-only: events are written by the member services, which keep the record in step."""

    scope_field = "member__unit__path"
    list_display = ["on", "kind", "member", "unit", "decision_number", "created_by"]
    list_filter = ["kind"]
    search_fields = ["member__search_key", "decision_number"]
    list_select_related = ["member", "unit", "created_by"]
    date_hierarchy = "on"
    ordering = ["-on", "-id"]
