"""Store every comment's header (discussion/header.py), so that the thread shows
existing comments from the stored header at once.

The fill uses header.header_html with the historical rows' plain fields. Should that
layout change later, the rows' keys stop matching and pages render those headers per
request (still correct) until ``manage.py render_comments`` stores them again.
"""

from django.db import migrations, models

from watchworthy.discussion import header

BATCH = 1000


def store_headers(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    db = schema_editor.connection.alias
    key = header.current_key()
    dates = header.Dates()
    fields = ("pk", "author_name", "author_email", "author_url", "number", "created_at",
              "edited_at")  # fmt: skip
    last = 0
    while True:
        batch = list(
            Comment.objects.using(db).filter(pk__gt=last).order_by("pk").only(*fields)[:BATCH]
        )
        if not batch:
            return
        for comment in batch:
            comment.header_html = header.header_of(comment, dates)
            comment.header_key = key
        Comment.objects.using(db).bulk_update(batch, ["header_html", "header_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0003_verifiedaddress_authornotice"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="header_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="comment",
            name="header_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=16),
        ),
        migrations.RunPython(store_headers, migrations.RunPython.noop, elidable=True),
    ]
