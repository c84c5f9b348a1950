"""The three commands, as an operator runs them."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.imports.builders import comment, item, wxr
from tests.imports.conftest import everything
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_a_summary_table(write_file):
    export = wxr(
        item(1, "One", content="[gallery ids='1']", comments=[comment(5), comment(6, parent=5)]),
        item(2, "Two", post_type="nav_menu_item"),
    )
    output = run("import_wordpress", str(write_file(export)))
    assert "Imported" in output and "from http://blog.example" in output
    assert "Posts → reviews" in output and "1 created" in output
    assert "2 approved" in output
    assert "[gallery] x1" in output
    assert "Deepest thread" in output and "2 levels" in output
    assert "1 “nav_menu_item” items" in output


def test_dry_run_says_so_and_writes_nothing(write_file):
    output = run("import_wordpress", str(write_file(wxr(item(1, "One")))), "--dry-run")
    assert "Dry run" in output and "nothing was written" in output
    assert Review.objects.count() == 0


def test_failures_are_command_errors(write_file, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import_wordpress", str(tmp_path / "missing.xml"))
    with pytest.raises(CommandError, match="--uploads is not a folder"):
        run("import_wordpress", str(write_file(wxr())), "--uploads", str(tmp_path / "nope"))
    with pytest.raises(CommandError, match="line 1"):
        run("import_wordpress", str(write_file("<rss><channel>")))
    assert all(n == 0 for n in everything().values())


def test_export_command_writes_atomically(write_file, tmp_path):
    run("import_wordpress", str(write_file(wxr(item(1, "One", comments=[comment(5)])))))
    out = tmp_path / "site.xml"
    output = run("export_wordpress", str(out))
    assert "1 posts" in output and "1 comments" in output
    assert out.read_text().startswith("<?xml")
    assert not (tmp_path / "site.xml.partial").exists()


def test_import_disqus_command(write_file):
    run("import_wordpress", str(write_file(wxr(item(1, "One", link="http://example.org/")))))
    disqus = """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><id/><forum>f</forum><link>http://example.org/</link></thread>
  <post dsq:id="2"><message>Hi</message><createdAt>2013-10-11T06:51:33Z</createdAt>
    <author><name>A</name><email>a@x.example</email></author><thread dsq:id="1"/></post>
</disqus>"""
    output = run("import_disqus", str(write_file(disqus)))
    assert "Disqus threads → reviews" in output and "1 matched" in output
    assert "1 approved" in output


def test_the_admin_lists_import_records_and_redirects(write_file, client):
    from tests.factories import UserFactory

    run("import_wordpress", str(write_file(wxr(item(1, "One", comments=[comment(5)])))))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/imports/importedobject/").content.decode()
    assert "One" in page
    assert client.get("/admin/imports/importedobject/?kind=attachment").status_code == 200
    assert "?replytocom=5" in client.get("/admin/imports/legacyredirect/").content.decode()
