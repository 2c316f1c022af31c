"""The PostgreSQL engine counts occurrences from its rows' tsvectors
(speeches/search/postgres/rows.py): `grams` gains the label A on each bigram not
wholly in its chunk's lead, and `words`, the chunk's jieba words written as |word|
runs, becomes a tsvector of those words at their ordinals. Existing rows are
rewritten in place, so no reindex is needed. On SQLite the table stays empty and
its columns are text: only the model's state changes."""

from django.db import migrations

import speeches.models

# A lexeme quoted as tsvector's input form wants it (rows.lexeme).
_QUOTED = "'''' || replace(replace({0}, '\\', '\\\\'), '''', '''''') || ''''"

REWRITE = f"""
ALTER TABLE speeches_searchrow ADD COLUMN word_vector tsvector NOT NULL DEFAULT '';
UPDATE speeches_searchrow r SET
  grams = coalesce((
    SELECT string_agg({_QUOTED.format("u.lexeme")} || ':' || (
      SELECT string_agg(p::text || CASE WHEN p >= r.lead THEN 'A' ELSE '' END, ',' ORDER BY p)
      FROM unnest(u.positions) AS p), ' ')
    FROM unnest(r.grams) AS u), '')::tsvector,
  word_vector = coalesce((
    SELECT string_agg({_QUOTED.format("w.word")} || ':' || w.places, ' ')
    FROM (SELECT t.word, string_agg(t.n::text, ',' ORDER BY t.n) AS places
          FROM unnest(string_to_array(trim(both '|' from r.words), '||')) WITH ORDINALITY AS t(word, n)
          WHERE t.word <> '' GROUP BY t.word) AS w), '')::tsvector;
ALTER TABLE speeches_searchrow DROP COLUMN words;
ALTER TABLE speeches_searchrow RENAME COLUMN word_vector TO words;
ALTER TABLE speeches_searchrow ALTER COLUMN words DROP DEFAULT;
"""


# Back: the labels dropped, the words written again as |word| runs in their order.
REWRITE_BACK = """
ALTER TABLE speeches_searchrow ADD COLUMN word_runs text NOT NULL DEFAULT '';
UPDATE speeches_searchrow r SET
  grams = setweight(r.grams, 'D'),
  word_runs = coalesce((
    SELECT string_agg('|' || u.lexeme || '|', '' ORDER BY p)
    FROM unnest(r.words) AS u, unnest(u.positions) AS p), '');
ALTER TABLE speeches_searchrow DROP COLUMN words;
ALTER TABLE speeches_searchrow RENAME COLUMN word_runs TO words;
ALTER TABLE speeches_searchrow ALTER COLUMN words DROP DEFAULT;
"""


def rewriting(sql: str):
    def rewrite(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # Rewriting rows under a RUM index updates it row by row (slow: see the engine's
        # rebuild); the index is made again after, as it was.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'speeches_searchrow_grams'")
            made_again = cursor.fetchone()
        if made_again:
            schema_editor.execute("DROP INDEX speeches_searchrow_grams")
        schema_editor.execute(sql)
        if made_again:
            schema_editor.execute(made_again[0])

    return rewrite


class Migration(migrations.Migration):
    dependencies = [
        ("speeches", "0013_remove_speech_date_standing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchrow",
                    name="words",
                    field=speeches.models.TsVector(),
                ),
            ],
            database_operations=[migrations.RunPython(rewriting(REWRITE), rewriting(REWRITE_BACK))],
        ),
    ]
