"""SQLite statements: the ``%s`` → ``?`` rewrite is remembered per statement text
(watchworthy/core/sqlite), and gives what Django's gives for every style of statement."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from watchworthy.core.sqlite import base

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the rewrite is SQLite's"),
]

STATEMENTS = [
    "SELECT %s",
    "SELECT %s || '%%s' || %s",  # a literal %s and a literal % around two values
    "SELECT '100%%' || %s",
    "SELECT " + " || ".join(["%s"] * 3000),  # past the remembered length: as before
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_rewrite_is_djangos(statement):
    ours = base.CursorWrapper(connection.connection)
    djangos = SQLiteCursorWrapper(connection.connection)
    assert ours.convert_query(statement) == djangos.convert_query(statement)
    assert ours.convert_query(statement) == djangos.convert_query(statement)  # remembered


def test_statements_run_with_values_in_every_style():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%s' || %s", ["a", "b"])
        assert cursor.fetchone() == ("a%sb",)
        cursor.execute("SELECT %(x)s || %(y)s", {"x": "named", "y": "!"})
        assert cursor.fetchone() == ("named!",)
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
        assert type(cursor.cursor) is base.CursorWrapper  # the site's connections use it


def test_only_short_statements_are_remembered():
    base._with_question_marks.cache_clear()
    base.CursorWrapper(connection.connection).convert_query(STATEMENTS[0])
    base.CursorWrapper(connection.connection).convert_query(STATEMENTS[-1])
    assert base._with_question_marks.cache_info().currsize == 1
