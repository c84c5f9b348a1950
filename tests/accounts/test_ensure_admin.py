"""``manage.py ensure_admin``: the local admin login that `make run` prints."""

import re
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def call_command_output(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


PASSWORD_LINE = re.compile(r"username: admin\s+password: (\S+)")


def test_ensure_admin_creates_one_superuser_and_prints_a_working_login(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path / "data"
    User = get_user_model()

    first = call_command_output("ensure_admin")

    match = PASSWORD_LINE.search(first)
    assert match, first
    password = match.group(1)
    assert "http://127.0.0.1:8000/admin/" in first
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert client.login(username="admin", password=password)
    login_file = tmp_path / "data" / "admin-login.txt"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600

    second = call_command_output("ensure_admin")

    assert PASSWORD_LINE.search(second).group(1) == password
    assert User.objects.filter(username="admin").count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1


def test_ensure_admin_does_not_print_a_stale_password(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = call_command_output("ensure_admin")
    old_password = PASSWORD_LINE.search(first).group(1)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-by-the-operator-1")
    admin.save()

    second = call_command_output("ensure_admin")

    assert old_password not in second
    assert "manage.py changepassword admin" in second
