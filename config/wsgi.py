"""WSGI entry point: a production server imports ``application``; runserver too."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from watchworthy.core.startup import refuse_to_serve_if_not_ready, settle_for_serving  # noqa: E402

refuse_to_serve_if_not_ready()
settle_for_serving()
