from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """The six-digit code shown by the authenticator app."""

    otp_token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control form-control-lg text-center",
            }
        ),
    )

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in the app."))
        return token
