"""Click times stored from a device whose clock ran ahead froze their answer: every later
click looked older and was ignored. Saves now clamp the click time to the server's now;
this brings the times already stored back to it, so those answers can change again."""

import time

from django.db import migrations


def clamp_future_click_times(apps, schema_editor):
    Answer = apps.get_model("assessments", "Answer")
    now_ms = int(time.time() * 1000)
    Answer.objects.filter(client_ts__gt=now_ms).update(client_ts=now_ms)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_assessment_creation_token"),
    ]

    operations = [
        migrations.RunPython(clamp_future_click_times, migrations.RunPython.noop, elidable=True),
    ]
