"""Authors become users and categories and tags become tags, each looked up once a run.

An author is matched to an existing user with the same login (case-insensitive)
before one is made; a made user has an unusable password, so nobody can sign in as
an imported author by accident. A user deleted here since the last import is not
brought back: that author's items go to the stand-in "Unknown author".
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from watchworthy.core.changes import mark_changed_ids
from watchworthy.reviews.models import Tag

from .. import wxr
from ..common import ascii_slug, digest
from ..models import ImportedObject
from .state import ImportState

Kind = ImportedObject.Kind
UNKNOWN_AUTHOR = "unknown-author"
TAXONOMIES = ("category", "post_tag")


class People:
    def __init__(self, state: ImportState) -> None:
        self.state = state
        self.users: dict[str, int] = {}  # lower-cased login → user pk
        self.author_ids: dict[str, int] = {}  # WordPress author id → user pk
        # "taxonomy:nicename" → tag pk; None when the tag was deleted here.
        self.tags: dict[str, int | None] = {}

    # --- what the importer hands over ---------------------------------------------------

    def author(self, record: wxr.Author) -> None:
        login = record.login or record.display_name
        if not login:
            self.state.summary.oddity("author without a login (skipped)", f"line {record.line}")
            return
        user_pk = self.user_for(login, record)
        if record.author_id:
            self.author_ids[record.author_id] = user_pk

    def term(self, record: wxr.Term) -> None:
        if record.taxonomy not in TAXONOMIES:
            self.state.summary.skipped[f"terms of taxonomy “{record.taxonomy or '?'}”"] += 1
            return
        self.tag_for(record.taxonomy, record.slug, record.name, count=True)

    def author_of(self, item: wxr.Item) -> int:
        if item.creator:
            return self.user_for(item.creator)
        self.state.summary.oddity("item without an author (attributed to “Unknown author”)")
        return self.user_for(UNKNOWN_AUTHOR)

    def tag_ids(self, item: wxr.Item) -> list[int]:
        ids: list[int] = []
        for domain, nicename, name in item.categories:
            if domain in TAXONOMIES:
                tag_pk = self.tag_for(domain, nicename, name)
                if tag_pk and tag_pk not in ids:
                    ids.append(tag_pk)
        return ids

    # --- users ------------------------------------------------------------------------

    def user_for(self, login: str, record: wxr.Author | None = None) -> int:
        """The user for ``login``: imported before, matched, or made now."""
        key = login.strip().lower()
        if key in self.users:
            return self.users[key]
        row = self.state.row(Kind.AUTHOR, key)
        fields = _user_fields(key, record)
        if row is not None and row.user_id:
            user_pk = self._known_user(row, record, fields)
        elif row is not None:
            # Deleted on this site since the last import: attribute to a stand-in.
            self.state.summary.count("author", "kept deleted")
            user_pk = (
                self.user_for(UNKNOWN_AUTHOR)
                if key != UNKNOWN_AUTHOR
                else _make_user(UNKNOWN_AUTHOR, {"display_name": "Unknown author"})
            )
        else:
            user_pk = self._first_user(login, key, fields)
        self.users[key] = user_pk
        return user_pk

    def _known_user(
        self, row: ImportedObject, record: wxr.Author | None, fields: dict[str, str]
    ) -> int:
        """A user an earlier import brought in: updated when the import made it and the
        export's author changed since."""
        assert row.user_id is not None
        version = digest(fields)
        if row.digest != version and record is not None and row.data.get("created"):
            get_user_model().objects.filter(pk=row.user_id).update(**fields)
            mark_changed_ids(get_user_model(), [row.user_id])
            row.digest, row.updated_at = version, self.state.now
            row.save(update_fields=["digest", "updated_at"])
            self.state.summary.count("author", "updated")
        else:
            self.state.summary.count("author", "unchanged")
        return row.user_id

    def _first_user(self, login: str, key: str, fields: dict[str, str]) -> int:
        """An author seen for the first time: an existing user with the login, or a new
        user without a password."""
        version = digest(fields)
        existing = get_user_model().objects.filter(username__iexact=login.strip()[:150]).first()
        if existing is not None:
            self.state.new_row(Kind.AUTHOR, key, user_id=existing.pk, digest=version)
            self.state.summary.count("author", "matched")
            self.state.summary.oddity(
                "author matched to an existing user by login", f"“{login.strip()}”"
            )
            return int(existing.pk)
        user_pk = _make_user(login.strip(), fields)
        self.state.new_row(
            Kind.AUTHOR, key, user_id=user_pk, digest=version, data={"created": True}
        )
        self.state.summary.count("author", "created")
        return user_pk

    # --- tags -------------------------------------------------------------------------

    def tag_for(
        self, taxonomy: str, nicename: str, name: str, *, count: bool = False
    ) -> int | None:
        """The tag for a category or post tag (None for the default "Uncategorized",
        for an empty one, or when it was deleted here). ``count``: it is a channel term,
        count it in the summary."""
        nicename = nicename.strip()
        name = name.strip()
        if taxonomy == "category" and nicename.lower() == "uncategorized":
            if count:
                self.state.summary.skipped["default category “Uncategorized”"] += 1
            return None
        if not nicename and not name:
            return None
        key = f"{taxonomy}:{nicename or name}"
        if key in self.tags:
            return self.tags[key]
        row = self.state.row(Kind.TERM, key)
        if row is not None:
            tag_pk = row.tag_id
            if count:
                self.state.summary.count("tag", "unchanged" if tag_pk else "kept deleted")
        else:
            tag_pk = self._new_tag(key, nicename, name)
        self.tags[key] = tag_pk
        return tag_pk

    def _new_tag(self, key: str, nicename: str, name: str) -> int:
        slug = ascii_slug(nicename, name, fallback=f"tag-{digest(key)[:8]}", max_length=80)
        label = (name or nicename)[:80]
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=label).first()
        if tag is None:
            tag = Tag.objects.create(name=label, slug=slug)
            self.state.summary.count("tag", "created")
        else:
            self.state.summary.count("tag", "matched")
        self.state.new_row(Kind.TERM, key, tag_id=tag.pk)
        return tag.pk


def _user_fields(key: str, record: wxr.Author | None) -> dict[str, str]:
    fields = {
        "email": (record.email if record else "")[:254],
        "display_name": (record.display_name if record else "")[:80],
        "first_name": (record.first_name if record else "")[:150],
        "last_name": (record.last_name if record else "")[:150],
    }
    if record is None and key == UNKNOWN_AUTHOR:
        fields["display_name"] = "Unknown author"
    return fields


def _make_user(username: str, fields: dict[str, str]) -> int:
    user = get_user_model()(username=username[:150], **fields)
    user.set_unusable_password()
    user.save()
    return int(user.pk)
