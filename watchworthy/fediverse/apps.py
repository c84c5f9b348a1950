from django.apps import AppConfig


class FediverseConfig(AppConfig):
    name = "watchworthy.fediverse"
    verbose_name = "Fediverse"

    def ready(self) -> None:
        from watchworthy.core import panels, periodic
        from watchworthy.core.changes import content_changed

        from .dashboard import desk_panel
        from .delivery import enqueue_due
        from .publishing import follow_changes
        from .replies_out import follow_comment_changes

        # Reviews going public, edited, withdrawn: Create, Update, Delete (publishing.py).
        content_changed.connect(follow_changes, dispatch_uid="fediverse.publishing")
        # A critic's answers in threads with fediverse authors (replies_out.py).
        content_changed.connect(follow_comment_changes, dispatch_uid="fediverse.replies_out")

        # Failed deliveries wait with a growing back-off; this picks up the due ones
        # whether or not a task worker runs (docs/fediverse.md, "Delivery").
        periodic.register("fediverse-deliveries", every=60, run=enqueue_due)

        # Followers and replies from other servers on the critic's desk (dashboard.py).
        panels.register("desk-dashboard", "fediverse", desk_panel)
