"""Faster matching (bench/README.md, `make bench-search`).

- An index on ``published_at``: a search leaves out the entries not findable yet by
  listing them through it, instead of reading each match's row.
- SQLite: FTS5 prefix indexes for 3 to 8 letters (were 2, 3, 4). A query word is a
  prefix from three letters on; a prefix with no index of its length made FTS5 merge
  the lists of every word it begins ("season*": every review). Two-letter words are
  whole words, so their index went unused. The table is made again and refilled from
  the entries (FTS5's ``rebuild``), so a filled index stays filled.
- PostgreSQL: ``filters``, a stored ``tsvector`` of the filter tokens alone, with its
  own GIN index: words are then matched without a weight (no recheck of each row's
  whole ``document``), filters in their own small vector. And
  ``search_reads_document(id)``, always true, whose declared cost is what reading a
  row's ``document`` (stored out of line) costs: without it the planner would walk
  30,000 entries newest first, reading each one's document, to find a word and a
  common word that the GIN index finds in 15 ms (see ``backends.PostgresSearch``).
"""

from typing import Any

from django.db import migrations, models

FTS_TABLE = """CREATE VIRTUAL TABLE search_fts USING fts5(
    match_title, match_body, facets,
    content='search_searchentry', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='{prefixes}'
)"""
TRIGGERS = [
    """CREATE TRIGGER search_entry_added AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, match_title, match_body, facets)
        VALUES (new.id, new.match_title, new.match_body, new.facets);
    END""",
    """CREATE TRIGGER search_entry_removed AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, match_title, match_body, facets)
        VALUES ('delete', old.id, old.match_title, old.match_body, old.facets);
    END""",
    """CREATE TRIGGER search_entry_changed AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, match_title, match_body, facets)
        VALUES ('delete', old.id, old.match_title, old.match_body, old.facets);
        INSERT INTO search_fts(rowid, match_title, match_body, facets)
        VALUES (new.id, new.match_title, new.match_body, new.facets);
    END""",
]
DROP_FTS = [
    "DROP TRIGGER IF EXISTS search_entry_changed",
    "DROP TRIGGER IF EXISTS search_entry_removed",
    "DROP TRIGGER IF EXISTS search_entry_added",
    "DROP TABLE IF EXISTS search_fts",
]


def _sqlite_fts(prefixes: str) -> list[str]:
    return [
        *DROP_FTS,
        FTS_TABLE.format(prefixes=prefixes),
        *TRIGGERS,
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",  # from the entries
    ]


FORWARD = {
    "sqlite": _sqlite_fts("3 4 5 6 7 8"),
    "postgresql": [
        """ALTER TABLE search_searchentry ADD COLUMN filters tsvector GENERATED ALWAYS AS (
            to_tsvector('simple'::regconfig, facets)
        ) STORED""",
        "CREATE INDEX search_entry_filters ON search_searchentry USING gin (filters)",
        """CREATE FUNCTION search_reads_document(bigint) RETURNS boolean
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 50
            AS $$ BEGIN RETURN true; END $$""",
    ],
}
BACKWARD = {
    "sqlite": _sqlite_fts("2 3 4"),
    "postgresql": [
        "DROP FUNCTION IF EXISTS search_reads_document(bigint)",
        "DROP INDEX IF EXISTS search_entry_filters",
        "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS filters",
    ],
}


def _run(statements_by_vendor: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_entries"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["published_at"], name="search_entry_from"),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
