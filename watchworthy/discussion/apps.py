from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "watchworthy.discussion"
    verbose_name = "Discussion"
