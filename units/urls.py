from django.urls import path

from units import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:parent_pk>/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/reorganise/<slug:kind>/", views.reorganise, name="unit_reorganise"),
    path("units/<int:commune_pk>/villages/new/", views.village_create, name="village_create"),
    path("villages/<int:pk>/edit/", views.village_edit, name="village_edit"),
    path("units/<int:pk>/officers/new/", views.officer_create, name="officer_create"),
    path("officers/<int:pk>/end/", views.officer_end, name="officer_end"),
    path("units/<int:pk>/terms/new/", views.term_create, name="term_create"),
]
