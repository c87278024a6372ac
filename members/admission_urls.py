"""URLs of the admissions pipeline."""

from django.urls import path

from members import admission_views as views
from members import views as member_views

urlpatterns = [
    path("units/<int:unit_pk>/", views.admission_board, name="admission_board"),
    path("new/", views.admission_create, name="admission_create"),
    path("<int:pk>/", views.admission_detail, name="admission_detail"),
    path("<int:pk>/edit/", views.admission_edit, name="admission_edit"),
    path("<int:pk>/sensitive/", member_views.candidate_sensitive, name="admission_sensitive"),
    path("<int:pk>/stages/", views.admission_stages, name="admission_stages"),
    path("<int:pk>/withdraw/", views.admission_withdraw, name="admission_withdraw"),
    path("<int:pk>/admit/", views.admission_admit, name="admission_admit"),
]
