"""A site with support links but no settings row gets the row, with its defaults:
the links are now read in a column of the settings row (SiteSettings.current), and
SupportLink.save writes the row for links added from now on."""

from django.db import migrations


def add_settings_row(apps, schema_editor):
    SiteSettings = apps.get_model("core", "SiteSettings")
    SupportLink = apps.get_model("core", "SupportLink")
    if SupportLink.objects.exists() and not SiteSettings.objects.filter(pk=1).exists():
        SiteSettings.objects.create(pk=1)  # the about page is empty, so is about_html


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sitesettings_feed_content")]

    operations = [migrations.RunPython(add_settings_row, migrations.RunPython.noop)]
