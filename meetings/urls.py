from django.urls import path

from meetings import views

urlpatterns = [
    path("", views.meetings_home, name="meetings_home"),
    path("cells/<int:cell_pk>/", views.meeting_list, name="meeting_list"),
    path("cells/<int:cell_pk>/new/", views.meeting_create, name="meeting_create"),
    path("cells/<int:cell_pk>/tasks/", views.cell_tasks, name="meeting_cell_tasks"),
    path("members/<int:member_pk>/tasks/", views.member_tasks, name="meeting_member_tasks"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("tasks/<int:pk>/done/", views.task_done, name="meeting_task_done"),
    path("units/<int:unit_pk>/plans/", views.unit_plans, name="meeting_plans"),
    path("plans/<int:pk>/accept/", views.plan_accept, name="meeting_plan_accept"),
    path("units/<int:unit_pk>/grid/", views.meeting_grid, name="meeting_grid"),
    path("units/<int:unit_pk>/board/", views.meeting_board, name="meeting_board"),
    path("units/<int:unit_pk>/alerts/", views.meeting_alerts, name="meeting_alerts"),
]
