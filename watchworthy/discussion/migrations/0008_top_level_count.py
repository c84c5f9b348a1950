"""Stored counts of each discussion's approved top-level comments (removed ones
included), counted once here for the comments already there; from now on kept by the
writes that number and count comments (discussion.services)."""

from django.db import migrations, models
from django.db.models import Count


def count_existing(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    Review = apps.get_model("reviews", "Review")
    EpisodeThread = apps.get_model("discussion", "EpisodeThread")
    rows = (
        Comment.objects.filter(status="approved", parent__isnull=True)
        .values_list("review_id", "episode_thread_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for review_id, thread_id, n in rows:
        if thread_id is None:
            Review.objects.filter(pk=review_id).update(top_level_count=n)
        else:
            EpisodeThread.objects.filter(pk=thread_id).update(top_level_count=n)


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0007_comment_submission_key"),
        ("reviews", "0008_top_level_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="episodethread",
            name="top_level_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
