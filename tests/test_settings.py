"""The settings form's bookkeeping: which typed values changed, and what a save says."""

from __future__ import annotations

from lib import settings


def test_a_typed_value_counts_as_changed_only_when_its_text_differs(any_db):
    values = settings.all_values(any_db)
    wanted = {**values, "timezone": " Europe/Berlin ", "stale_days": 21, "phone_region": "AT"}
    assert settings.changed(wanted, values) == ["phone_region", "stale_days"]
    assert settings.changed(values, values) == []


def test_a_save_names_what_it_saved_by_label():
    assert settings.saved_text(["stale_days"], all_saved=True) == "Saved: Stale after (days)."
    assert settings.saved_text(["timezone", "alarm_minutes"], all_saved=False) == (
        "Saved: Time zone, Calendar reminder (minutes before). The others were not saved.")
