from django.db import migrations, models

from forums.summaries import write_reach_masks


def fill(apps, schema_editor):
    """The people reached by circle and role, from the PersonReach rows already there: one statement."""
    alias = schema_editor.connection.alias
    write_reach_masks(apps.get_model("forums", "PersonReach"), apps.get_model("forums", "ReachMask"), alias)


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0011_figures_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReachMask",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mask", models.PositiveIntegerField(unique=True)),
                ("people", models.PositiveIntegerField()),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
