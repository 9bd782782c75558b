"""Continuous SIP: minutes of a follow-up record the next check-in (when, and who follows up)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sip", "0004_min_plan_plan_responses")]

    operations = [
        migrations.AddField(
            model_name="meetingminutes",
            name="next_follow_up_on",
            field=models.DateField(blank=True, null=True, verbose_name="nästa uppföljning"),
        ),
        migrations.AddField(
            model_name="meetingminutes",
            name="next_follow_up_by",
            field=models.CharField(blank=True, max_length=300, verbose_name="vem följer upp"),
        ),
    ]
