"""Ship the seed's payment probabilities and the channel minutes (queues/seed.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from arrears.queues.seed import seed

    seed(apps.get_model("queues", "PaymentProbability"), apps.get_model("queues", "ChannelEffort"))


def backwards(apps, schema_editor):
    apps.get_model("queues", "PaymentProbability").objects.filter(source="seed").delete()
    apps.get_model("queues", "ChannelEffort").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("queues", "0001_queues")]
    operations = [migrations.RunPython(forwards, backwards)]
