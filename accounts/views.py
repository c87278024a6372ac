"""Sign-in, the two-factor step, and the user's own account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from accounts import twofactor
from accounts.audit import record
from accounts.forms import TokenForm
from accounts.models import AuditKind
from accounts.signin_middleware import with_next


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Password first; users who need it then go to the two-factor step."""

    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        step = twofactor.pending_step(self.request)
        return with_next(step, url) if step else url


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer: the login page again, saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked_out": True, "minutes": minutes, "next": _next_url(request)}
    return render(request, "registration/login.html", context, status=429)


def _passed(request, device, kind: AuditKind) -> None:
    otp_login(request, device)
    # The session now carries more rights: give it a new key, as at sign-in.
    request.session.cycle_key()
    record(kind, request=request)


def _check(request, form, device) -> bool:
    """The code in `form` is right for `device`; otherwise the form says why, and it is logged."""
    waiting = twofactor.throttled(device)
    if not waiting and twofactor.verify(device, form.cleaned_data["otp_token"]):
        return True
    if waiting:
        form.add_error("otp_token", _("Too many wrong codes. Wait a little and try again."))
    else:
        form.add_error("otp_token", _("This code is not right. Enter the code the app shows now."))
    record(AuditKind.TWO_FACTOR_FAILED, request=request)
    return False


@login_required
def two_factor_verify(request):
    next_url = _next_url(request)
    if twofactor.is_verified(request):
        return redirect(next_url)
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(with_next("two_factor_setup", next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(request, form, device):
        _passed(request, device, AuditKind.TWO_FACTOR_VERIFIED)
        return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def two_factor_setup(request):
    user = request.user
    next_url = _next_url(request)
    if twofactor.confirmed_device(user):
        if twofactor.is_verified(request):
            messages.info(request, _("Two-factor sign-in is already on."))
            return redirect("account")
        return redirect(with_next("two_factor_verify", next_url))
    device = twofactor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(request, form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])  # the field alone: verify() saved the rest
        _passed(request, device, AuditKind.TWO_FACTOR_ENROLLED)
        messages.success(request, _("Two-factor sign-in is on."))
        return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "qr": twofactor.qr_data_uri(device),
        "key": twofactor.text_key(device),
        "required": twofactor.required_by_role(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def account(request):
    device = twofactor.confirmed_device(request.user)
    context = {
        "device": device,
        "required": twofactor.required_by_role(request.user),
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    success_url = reverse_lazy("account")
    success_message = gettext_lazy("Your password has been changed.")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form
