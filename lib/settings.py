"""App settings: typed values with defaults, stored as text, changed with a history entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from lib import access, audit, history
from lib.db import Connection, transaction, utcnow
from lib.errors import InvalidInput
from lib.i18n import N_, _
from lib.store import settings as settings_store

Value = int | str | bool


@dataclass(frozen=True)
class Setting:
    key: str
    default: Value
    label: str
    help: str
    parse: Callable[[str], Value]
    choices: tuple[Value, ...] = ()  # when set, the only values (shown as a choice)
    permission: str = "manage_settings"  # what the role of whoever changes it needs


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            number = int(str(text).strip())
        except ValueError:
            raise InvalidInput(_("'{text}' is not a whole number").format(text=text)) from None
        if not low <= number <= high:
            raise InvalidInput(_("{number} is outside {low}…{high}").format(
                number=number, low=low, high=high))
        return number

    return parse


def _timezone(text: str) -> str:
    try:
        ZoneInfo(str(text).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("'{text}' is not a time zone such as Europe/Berlin").format(
            text=text)) from None
    return str(text).strip()


def _region(text: str) -> str:
    region = str(text).strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidInput(_("'{text}' is not a country code such as DE, AT, CH").format(
            text=text))
    return region


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip().lower()
        if value not in options:
            raise InvalidInput(_("'{text}' is not one of {choices}").format(
                text=text, choices=", ".join(options)))
        return value

    return parse


# How the visibility choices read (the stored values stay "all", "team", "own").
CHOICE_LABELS = {"all": N_("all"), "team": N_("team"), "own": N_("own")}
_YES, _NO = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _flag(text: str) -> bool:
    value = str(text).strip().lower()
    if value not in _YES + _NO:
        raise InvalidInput(_("'{text}' is not yes or no").format(text=text))
    return value in _YES


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("lead_threshold", 2, N_("Lead threshold"),
                N_("How many lead criteria make a prospect a lead."), _whole(1, 20),
                permission="edit_qualification"),
        Setting("prospect_threshold", 1, N_("Prospect threshold"),
                N_("How many prospect criteria make a suspect a prospect."), _whole(1, 20),
                permission="edit_qualification"),
        Setting("phone_region", "DE", N_("Default phone country"),
                N_("Country assumed for phone numbers written without +country code."), _region),
        Setting("max_file_mb", 200, N_("Largest upload (MB)"),
                N_("Files above this size are refused, in the browser before they are sent. "
                   "A list of 1,000,000 rows is about 150 MB."), _whole(1, 2000)),
        Setting("max_rows", 1_000_000, N_("Most rows per file"),
                N_("Files with more data rows are refused."), _whole(1, 10_000_000)),
        Setting("duplicate_similarity", 90, N_("Possible-duplicate similarity (%)"),
                N_("Name + company similarity from which a new person is flagged for review."),
                _whole(50, 100)),
        Setting("timezone", "Europe/Berlin", N_("Time zone"),
                N_("Due times and 'today' are in this zone."), _timezone),
        Setting("alarm_minutes", 15, N_("Calendar reminder (minutes before)"),
                N_("Alarm on every exported next step."), _whole(0, 10_080)),
        Setting("stale_days", 14, N_("Stale after (days)"),
                N_("Open leads with no activity for this long are listed as stale."),
                _whole(1, 365)),
        Setting("visibility", "all", N_("Who sees which rows and leads"),
                N_("all: everyone sees everything; team: a rep sees their team's rows and "
                   "leads; own: a rep sees what they own plus unowned rows of lists shared with "
                   "them. Managers see their team, admins everything."),
                _choice("all", "team", "own"), choices=("all", "team", "own")),
        Setting("managers_edit_qualification", False, N_("Managers may edit criteria and steps"),
                N_("When on, managers may change the ladder's criteria, thresholds and "
                   "pipeline steps; otherwise only admins."), _flag, choices=(False, True)),
        Setting("session_idle_minutes", 480, N_("Log out after idle (minutes)"),
                N_("A login that was not used for this long has to log in again."),
                _whole(5, 43_200)),
        Setting("create_reps_on_first_login", False, N_("Create reps on first single sign-on"),
                N_("When on, someone the identity provider knows but leadladder does not "
                   "becomes a rep at their first login; otherwise they are refused."), _flag,
                choices=(False, True)),
        Setting("retention_unworked_months", 0, N_("Purge unworked suspects after (months)"),
                N_("Suspects nobody worked (no tick, no activity, no lead) are purged this many "
                   "months after their last import. 0: never."), _whole(0, 600),
                permission="privacy"),
        Setting("retention_dead_months", 0, N_("Purge dead rows after (months)"),
                N_("Cancelled (dead) rows are purged this many months after they died. "
                   "0: never."), _whole(0, 600), permission="privacy"),
    )
}


def get(db: Connection, key: str) -> Value:
    """The stored value of a setting, or its default."""
    setting = SETTINGS[key]
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return setting.default if row is None else setting.parse(row[0])


def all_values(db: Connection) -> dict[str, Value]:
    """Every setting, stored or default."""
    stored = dict(db.execute("SELECT key, value FROM settings").fetchall())
    return {
        key: (s.parse(stored[key]) if key in stored else s.default) for key, s in SETTINGS.items()
    }


@transaction
def put(db: Connection, key: str, value: object, *, by: int | None) -> Value:
    """Validate and store a setting; the change goes to the history and the audit log. Returns
    the parsed value. Refused unless the role of ``by`` may change this setting."""
    if key not in SETTINGS:
        raise InvalidInput(_("unknown setting '{key}'").format(key=key))
    access.require_user(db, by, SETTINGS[key].permission, N_("change this setting"))
    parsed = SETTINGS[key].parse(str(value))
    old = get(db, key)
    if parsed == old:
        return parsed
    settings_store.put_setting(db, key, str(parsed), utcnow(), by)
    history.record(db, "settings", user_id=by, field=key, old=old, new=parsed)
    audit.record(db, "settings_changed", user_id=by, target=key,
                 detail=f"{stored_label(old)} → {stored_label(parsed)}")
    return parsed


def choice_label(value: Value) -> str:
    """How a fixed choice reads on the settings form: "yes"/"no" for switches (the stored
    values themselves stay as they are)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _(CHOICE_LABELS[value]) if value in CHOICE_LABELS else str(value)


def stored_label(value: Value) -> str:
    """A value as the history and the audit log keep it: "yes"/"no" in English, always."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changed(wanted: dict[str, object], values: dict[str, Value]) -> list[str]:
    """The keys of a settings form whose typed value differs from the stored one."""
    return [key for key, value in wanted.items() if str(value).strip() != str(values[key])]


def saved_text(keys: list[str], *, all_saved: bool) -> str:
    """What a save of the settings form did: the settings saved, by label."""
    labels = ", ".join(_(SETTINGS[key].label) for key in keys)
    if all_saved:
        return _("Saved: {settings}.").format(settings=labels)
    return _("Saved: {settings}. The others were not saved.").format(settings=labels)
