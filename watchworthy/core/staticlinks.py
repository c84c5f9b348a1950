"""``{% load staticlinks %}``: ``{% static %}`` with each file's address worked out once
per process.

Django's ``{% static %}`` asks the storage on every use (with the manifest storage of
production: a look-up of the file's hashed name, a quote and a join); the review page
has three. This library is Django's ``static`` library with its ``{% static %}``
remembering each path's address — which depends only on the settings and on the
collected files of this deployment, fixed while the process runs (a change of
settings in tests forgets them). It is installed as ``staticlinks`` in the TEMPLATES
options: under Django's own name ``static`` it would shadow that library, which the
deploy check refuses (templates.W003); templates of other apps (the admin) keep
Django's.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import static as django_static
from django.urls import get_script_prefix

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

_addresses: dict[tuple[str, str], str] = {}


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    _addresses.clear()


class StaticNode(django_static.StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        key = (path, get_script_prefix())
        try:
            return _addresses[key]
        except KeyError:
            address = _addresses[key] = super().handle_simple(path)
            return address


@register.tag("static")
def do_static(parser: template.base.Parser, token: template.base.Token) -> StaticNode:
    """Django's ``{% static %}``, its addresses remembered (see the module's text)."""
    node = django_static.do_static(parser, token)
    return StaticNode(varname=node.varname, path=node.path)
