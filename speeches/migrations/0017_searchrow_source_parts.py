"""Each search row records what its speech's rows were made from (source, a digest of
the title and text) and how many rows the speech was given (parts), for `manage.py
check_index` (speeches/search/postgres/__init__.py, PostgresEngine.entries).

Existing rows are not filled in: what they were made from is exactly what cannot be
known without making them again, so check_index reports them stale (and their
format as other code's) until `manage.py reindex` writes them again. Adding columns
with a constant default rewrites no row on PostgreSQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("speeches", "0016_alias_keeps_its_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchrow",
            name="source",
            field=models.CharField(default="", max_length=32),
        ),
        migrations.AddField(
            model_name="searchrow",
            name="parts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
