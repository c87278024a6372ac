from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
]
