from django.db import migrations, models


class Migration(migrations.Migration):
    """Gives the permission-carrying Dashboard model a real, empty table (dumpdata reads every model)."""

    dependencies = [("analytics", "0001_initial")]

    operations = [
        migrations.DeleteModel(name="Dashboard"),
        migrations.CreateModel(
            name="Dashboard",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "permissions": [("view_dashboard", "Can read the attendance dashboard and its exports")],
                "default_permissions": (),
            },
        ),
    ]
