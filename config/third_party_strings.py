"""Strings of third-party templates that ship no Vietnamese catalogue.

Listed here so that makemessages puts them in chibo's catalogue, which then translates them.
"""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = [
    # Django 6's empty choice of a select, not yet in Django's Vietnamese catalogue
    gettext_noop("- Select an option -"),
    # django-tables2 pagination
    gettext_noop("previous"),
    gettext_noop("next"),
]
