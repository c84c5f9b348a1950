"""PostgreSQL: the words in a table of their own (bench/README.md, `make bench-search`).

``search_words`` holds, per entry, only what finding it needs: its id, the time it is
findable from, its title and body words (a ``tsvector`` without positions or weights)
and its filter tokens, each with a GIN index. The vectors stay in the row (storage
MAIN, compressed only past a whole page), so checking one entry costs about 2 µs
where reading an entry's ``document`` (weighted, with positions, stored out of line)
cost about 20. ``backends.PostgresSearch`` walks it newest first when matches are
dense and asks a GIN index when they are sparse. The entry's ``document`` stays for
the ranking (ts_rank needs the weights) but loses its GIN index; the ``filters``
column and ``search_reads_document()`` of 0002 go (their work is done here).

Three statement-level triggers keep the table in step with ``search_searchentry``,
as SQLite's triggers keep ``search_fts``: no Python writes to it. The table is
filled from the entries, so a filled index stays filled (about 30 s for 100,000
reviews). SQLite: nothing.
"""

from typing import Any

from django.db import migrations

WORDS = "strip(to_tsvector('simple'::regconfig, concat_ws(' ', match_title, match_body)))"
FILTERS = "to_tsvector('simple'::regconfig, facets)"
COPY = f"SELECT id, published_at, {WORDS}, {FILTERS} FROM"  # + the rows' source

FORWARD = [
    # No parallel scans of it: starting workers costs more (~25 ms each) than any plan
    # here saves, and a plan's unused branch started them too.
    """CREATE TABLE search_words (
        id bigint PRIMARY KEY,
        published_at timestamp with time zone,
        words tsvector NOT NULL,
        filters tsvector NOT NULL
    ) WITH (toast_tuple_target = 8160, parallel_workers = 0)""",
    # In the row, uncompressed up to a page: no TOAST lookup or decompression per check.
    "ALTER TABLE search_words ALTER COLUMN words SET STORAGE MAIN",
    f"INSERT INTO search_words {COPY} search_searchentry ORDER BY id",
    "CREATE INDEX search_words_words ON search_words USING gin (words)",
    "CREATE INDEX search_words_filters ON search_words USING gin (filters)",
    f"""CREATE FUNCTION search_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_words {COPY} added_entries;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION search_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_words w USING old_entries o WHERE w.id = o.id;
        INSERT INTO search_words {COPY} new_entries;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_words w USING removed_entries r WHERE w.id = r.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_words_added AFTER INSERT ON search_searchentry
        REFERENCING NEW TABLE AS added_entries
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_added()""",
    """CREATE TRIGGER search_words_changed AFTER UPDATE ON search_searchentry
        REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_changed()""",
    """CREATE TRIGGER search_words_removed AFTER DELETE ON search_searchentry
        REFERENCING OLD TABLE AS removed_entries
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_removed()""",
    "ANALYZE search_words",
    # What 0001 and 0002 made for matching on the entry table itself.
    "DROP INDEX search_entry_document",
    "DROP INDEX search_entry_filters",
    "ALTER TABLE search_searchentry DROP COLUMN filters",
    "DROP FUNCTION search_reads_document(bigint)",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS search_words_removed ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_words_changed ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_words_added ON search_searchentry",
    "DROP FUNCTION IF EXISTS search_words_removed()",
    "DROP FUNCTION IF EXISTS search_words_changed()",
    "DROP FUNCTION IF EXISTS search_words_added()",
    "DROP TABLE IF EXISTS search_words",
    "CREATE INDEX search_entry_document ON search_searchentry USING gin (document)",
    """ALTER TABLE search_searchentry ADD COLUMN filters tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, facets)
    ) STORED""",
    "CREATE INDEX search_entry_filters ON search_searchentry USING gin (filters)",
    """CREATE FUNCTION search_reads_document(bigint) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 50
        AS $$ BEGIN RETURN true; END $$""",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_faster_matching"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
