"""Ship the default strategy (strategy/seed.py), active. Data only; reversible."""

from django.db import migrations


def forward(apps, schema_editor):
    from arrears.strategy.seed import (
        DEFAULT_CODE,
        DEFAULT_DEFINITION,
        DEFAULT_NAME_EN,
        DEFAULT_NAME_ZH,
    )

    Strategy = apps.get_model("strategy", "Strategy")
    StrategyVersion = apps.get_model("strategy", "StrategyVersion")
    if Strategy.objects.filter(code=DEFAULT_CODE).exists():
        return
    strategy = Strategy.objects.create(
        code=DEFAULT_CODE,
        name_zh=DEFAULT_NAME_ZH,
        name_en=DEFAULT_NAME_EN,
        is_active=not Strategy.objects.filter(is_active=True).exists(),
    )
    StrategyVersion.objects.create(
        strategy=strategy, number=1, definition=DEFAULT_DEFINITION, note="shipped default"
    )


def backward(apps, schema_editor):
    from arrears.strategy.seed import DEFAULT_CODE

    Strategy = apps.get_model("strategy", "Strategy")
    StrategyVersion = apps.get_model("strategy", "StrategyVersion")
    StrategyVersion.objects.filter(strategy__code=DEFAULT_CODE, number=1).delete()
    Strategy.objects.filter(code=DEFAULT_CODE, versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
