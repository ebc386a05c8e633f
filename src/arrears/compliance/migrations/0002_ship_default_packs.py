"""Ship version 1 of the three rule packs (cn_default active; us_reg_f and uk_conc off)."""

from django.db import migrations

from arrears.compliance.seed import SHIPPED_PACKS


def ship(apps, schema_editor):
    RulePack = apps.get_model("compliance", "RulePack")
    Rule = apps.get_model("compliance", "Rule")
    for data in SHIPPED_PACKS:
        pack = RulePack.objects.create(
            code=data["code"],
            version=data["version"],
            name=data["name"],
            is_active=data["is_active"],
            note="shipped with Arrears",
        )
        Rule.objects.bulk_create(
            Rule(pack=pack, **{k: v for k, v in rule.items()}) for rule in data["rules"]
        )


def unship(apps, schema_editor):
    RulePack = apps.get_model("compliance", "RulePack")
    Rule = apps.get_model("compliance", "Rule")
    codes = [d["code"] for d in SHIPPED_PACKS]
    Rule.objects.filter(pack__code__in=codes).delete()
    RulePack.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_rulepacks_overrides_lpr")]

    operations = [migrations.RunPython(ship, unship)]
