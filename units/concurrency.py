"""No lost update: a save made from a page opened before someone else's save is refused.

Every edit form carries the record's edit token in a hidden field, and its service checks the
token against the record's row locked with SELECT … FOR UPDATE, inside its transaction: of two
saves made from the same page, the second waits for the first, then sees a new token and is
refused, writing nothing.

The token is the id of the record's latest history row (django-simple-history): every write
leaves one, whichever service made it, so the token changes with every save, and that row
names who saved and when. A model with its own `version` column (meetings, whose attendance,
guests and tasks are saved with it) uses that column instead.
"""

from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.templatetags.chibo import person

STALE_ADVICE = gettext_lazy(
    "Nothing was saved: reload the page to see the changes, then make yours again."
)
STALE_CODE = "stale"


def _latest_history(obj):
    return obj.history.select_related("history_user").order_by("-pk").first()


def edit_token(obj) -> str:
    """The token of `obj` as it stands: its version, or the id of its latest history row."""
    if not obj.pk:
        return ""
    if any(field.name == "version" for field in obj._meta.concrete_fields):
        return str(obj.version)
    latest = obj.history.order_by("-pk").values_list("pk", flat=True).first()
    return str(latest or 0)


def stale_error(obj) -> ValidationError:
    """The refusal of a stale save, naming who saved `obj` last and when, if known."""
    latest = _latest_history(obj)
    user = latest.history_user if latest is not None else None
    if user is None:
        head = _("Someone else changed this record after you opened it.")
    else:
        when = timezone.localtime(latest.history_date)
        head = _("This record was changed by %(who)s at %(time)s on %(day)s, after you opened it.")
        head %= {
            "who": person(user),
            "time": when.strftime("%H:%M"),
            "day": when.strftime("%d/%m/%Y"),
        }
    return ValidationError(f"{head} {STALE_ADVICE}", code=STALE_CODE)


def check_fresh(obj, token) -> None:
    """Refuse a save from a page opened at `token` when `obj` (locked) has changed since.

    `token` None: the caller opened no page (a script, a service calling another); any other
    value, an empty or garbled one included, must be the token `obj` has now."""
    if token is not None and str(token).strip() != edit_token(obj):
        raise stale_error(obj)


def lock_for_edit(queryset: models.QuerySet, pk, token=None):
    """The row `pk` of `queryset` locked until the transaction ends (that row only, not the
    rows it is joined with), refused if stale."""
    obj = queryset.select_for_update(of=("self",)).get(pk=pk)
    check_fresh(obj, token)
    return obj


class EditTokenMixin:
    """A hidden `edit_token` field holding the token of the record the form edits (its
    instance, or `edit_of=`); after validation it is `form.edit_token`, not in cleaned_data,
    so services receive it by name. A new record has no token to check (None)."""

    def __init__(self, *args, edit_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_of = edit_of if edit_of is not None else getattr(self, "instance", None)
        self.edit_token = None
        if self.edit_of is not None and self.edit_of.pk:
            self.fields["edit_token"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                # Worked out when the field is rendered, not for a save that renders nothing.
                initial=partial(edit_token, self.edit_of),
            )

    def clean(self):
        cleaned = super().clean()
        if "edit_token" in self.fields:
            self.edit_token = self.cleaned_data.pop("edit_token", "") or ""
        return cleaned
