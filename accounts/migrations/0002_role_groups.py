"""Create the six role groups of DESIGN §2; their permissions are granted after each migrate."""

from django.db import migrations

# Frozen copy of the role names at the time of this migration (migrations must not import
# code that may change later).
ROLE_GROUP_NAMES = ["填报员", "单位负责人", "牵头部门审核员", "考核办", "县领导", "系统管理员"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUP_NAMES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLE_GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
