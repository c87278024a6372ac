from django.contrib import admin

from members.models import Member
from units.admin import ScopedAdmin


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    scope_field = "unit__path"
    list_display = ["full_name", "sex", "birth_date", "ethnicity", "unit", "status"]
    list_filter = ["status", "sex", "ethnicity"]
    search_fields = ["search_key", "citizen_id", "card_number"]
    list_select_related = ["unit"]
    ordering = ["sort_key"]
