"""Settings: the ladder's criteria and thresholds, and the app's other settings.

Admins change them (managers the ladder and pipeline too, when the admin allows it); everyone
else sees them read-only (lib refuses the change too). Every change goes to the
history (lib does it); a change that can move statuses recomputes all of them at once.
"""

import pandas as pd
import streamlit as st

from lib import display, pipeline, settings, ui
from lib import qualification as q
from lib.i18n import _, ngettext, pgettext

OTHERS = [key for key in settings.SETTINGS if key not in q.THRESHOLD_KEYS]
CRITERIA_ORDER = ["position", "stage", "short_label", "short_label_de", "label_en", "label_de",
                  "description", "description_de", "active", "key"]

conn = ui.connection()
me = ui.require_user()
viewer = ui.current_viewer()
may_change = viewer.may("edit_qualification")  # criteria, thresholds, pipeline steps
may_manage = viewer.may("manage_settings")  # the app's other settings
st.title(_("Settings"))
if not may_change:
    st.info(_("You are logged in as {user}: you can look at the settings, but only an admin (or "
              "a manager, when the admin allows it) can change the ladder and the "
              "pipeline.").format(user=display.literal(me.label)), icon="🔒")
if message := st.session_state.pop("settings_message", None):
    ui.success(message)


def saved(text: str) -> None:
    """Show what a save did after the rerun that draws the fresh values."""
    st.session_state.settings_message = text
    st.session_state.settings_version = st.session_state.get("settings_version", 0) + 1
    st.rerun()


def thresholds() -> None:
    limits = q.thresholds(conn)
    with st.form("settings_thresholds"):
        wanted = {}
        for column, (key, value) in zip(st.columns(2), limits.by_key.items(), strict=True):
            setting = settings.SETTINGS[key]
            wanted[key] = column.number_input(_(setting.label), min_value=1, max_value=20,
                                              value=value, help=_(setting.help),
                                              disabled=not may_change, key=f"settings_{key}")
        if st.form_submit_button(_("Save thresholds"), type="primary", disabled=not may_change):
            change_thresholds(q.changed_thresholds(wanted, limits))


def change_thresholds(changes: dict[str, int]) -> None:
    if not may_change:
        return
    moved = 0
    for key, value in changes.items():
        changed = ui.attempt(q.change_threshold, conn, key, value, by=me.id)
        if changed is None:
            return
        moved += changed
    saved(_("Thresholds saved. {moved}").format(moved=q.moved_text(moved)))


def criteria() -> None:
    text = st.column_config.TextColumn
    version = st.session_state.get("settings_version", 0)
    with st.form("settings_criteria"):
        edited = st.data_editor(
            q.criteria_table(conn), hide_index=True, width="stretch",
            key=f"settings_criteria_{version}", column_order=CRITERIA_ORDER,
            disabled=True if not may_change else ["key", "stage"],
            column_config={
                "position": st.column_config.NumberColumn(
                    pgettext("criteria", "Order"), min_value=1, step=1, width=70,
                    help=_("Criteria are shown prospect stage first, then by this number")),
                "stage": text(pgettext("criteria", "Stage"), width=80),
                "short_label": text(_("Short label"), required=True, width=110,
                                    help=_("The column header on the prospecting list")),
                "short_label_de": text(_("Short label (German)"), required=True, width=110,
                                       help=_("The column header for a rep who reads German")),
                "label_en": text(_("Label (English)"), required=True, width="medium"),
                "label_de": text(_("Label (German)"), required=True, width="medium"),
                "description": text(_("Description"), required=True, width=320,
                                    help=_("Shown when a rep hovers over the column header")),
                "description_de": text(_("Description (German)"), required=True, width=320),
                "active": st.column_config.CheckboxColumn(
                    pgettext("criteria", "Active"), width=70,
                    help=_("Switched off: hidden, and its ticks no longer count")),
                "key": text(pgettext("criteria", "Key"), width=90),
            },
        )
        if st.form_submit_button(_("Save criteria"), type="primary", disabled=not may_change):
            save_criteria(edited)


def save_criteria(edited: pd.DataFrame) -> None:
    if not may_change:
        return
    changed = ui.attempt(q.update_criteria, conn, q.criteria_from_table(edited), by=me.id)
    if changed is not None:
        saved(_("Criteria saved. {moved}").format(moved=q.moved_text(changed)))


def add_criterion() -> None:
    with st.expander(_("Add a criterion"), icon="➕"), st.form("settings_add_criterion",
                                                                border=False):
        left, right = st.columns(2)
        key = left.text_input(pgettext("criteria", "Key"), placeholder=_("e.g. trial_started"),
                              key="settings_new_key",
                              help=_("Lower-case letters, digits and _; cannot be changed later"))
        stages = {stage: q.status_label(stage) for stage in q.STAGES}
        stage = right.segmented_control(pgettext("criteria", "Stage"), list(stages),
                                        format_func=stages.get, default="lead", required=True,
                                        key="settings_new_stage")
        labels = {field: column.text_input(title, key=f"settings_new_{field}")
                  for field, title, column in zip(
                      q.LABEL_FIELDS, (_("Short label"), _("Label (English)"),
                                       _("Label (German)"), _("Description")), st.columns(4),
                      strict=True)}
        if st.form_submit_button(_("Add criterion")):
            if ui.attempt(q.add_criterion, conn, key, stage, **labels, by=me.id):
                saved(_("Criterion '{key}' added. Nobody has ticked it yet, so no status moved.")
                      .format(key=key))


def pipeline_steps() -> None:
    version = st.session_state.get("settings_version", 0)
    with st.form("settings_steps"):
        edited = st.data_editor(
            pipeline.steps_table(conn), hide_index=True, width="stretch",
            key=f"settings_steps_{version}", disabled=True if not may_change else
            ["open_leads", "key"],
            column_config={
                "position": st.column_config.NumberColumn(_("Order"), min_value=1, step=1,
                                                          width=70),
                "label": st.column_config.TextColumn(_("Step (English)"), required=True,
                                                     width="medium"),
                "label_de": st.column_config.TextColumn(
                    _("Step (German)"), width="medium",
                    help=_("Empty: German users read the English name")),
                "active": st.column_config.CheckboxColumn(
                    _("Active"), width=70, help=_("Switched off: no lead can be moved there")),
                "open_leads": st.column_config.NumberColumn(_("Open leads"), width=90),
                "key": st.column_config.TextColumn(_("Key"), width=110),
            },
        )
        if st.form_submit_button(_("Save steps"), type="primary", disabled=not may_change):
            changed = ui.attempt(pipeline.update_steps, conn,
                                 pipeline.steps_from_table(edited), by=me.id)
            if changed is not None:
                saved(ngettext("Pipeline steps saved ({count} change).",
                               "Pipeline steps saved ({count} changes).", changed
                               ).format(count=changed))
    if may_change:
        with st.form("settings_add_step", border=False):
            left, middle, right = st.columns([3, 3, 1], vertical_alignment="bottom")
            label = left.text_input(_("New step"), placeholder=_("e.g. Trial running"),
                                    key="settings_new_step")
            german = middle.text_input(_("German name"), placeholder=_("e.g. Testphase läuft"),
                                       key="settings_new_step_de")
            if right.form_submit_button(_("Add step")) and ui.attempt(
                    pipeline.add_step, conn, label, by=me.id, label_de=german):
                saved(_("Step '{name}' added at the end of the pipeline.").format(
                    name=label.strip()))


def other_settings() -> None:
    values = settings.all_values(conn)
    with st.form("settings_other"):
        slots, wanted = {}, {}
        for key, column in zip(OTHERS, st.columns(2) * len(OTHERS), strict=False):
            setting = settings.SETTINGS[key]
            with column:
                wanted[key] = setting_field(setting, values[key])
                slots[key] = st.empty()
        if st.form_submit_button(_("Save settings"), type="primary", disabled=not may_manage):
            save_others(wanted, values, slots)


def setting_field(setting: settings.Setting, value: settings.Value) -> settings.Value:
    """A choice for settings with fixed values, a number or text field for the others."""
    common = {"help": _(setting.help), "disabled": not may_manage,
              "key": f"settings_{setting.key}"}
    if setting.choices:
        labels = {choice: settings.choice_label(choice) for choice in setting.choices}
        return st.selectbox(_(setting.label), setting.choices,
                            index=setting.choices.index(value), format_func=labels.get, **common)
    field = st.number_input if isinstance(setting.default, int) else st.text_input
    return field(_(setting.label), value=value, **common)


def save_others(wanted: dict, values: dict, slots: dict) -> None:
    """Save every changed setting; a refused one says why under its own field."""
    if not may_manage:
        return
    changed, done = settings.changed(wanted, values), []
    for key in changed:
        with slots[key]:
            if ui.attempt(settings.put, conn, key, wanted[key], by=me.id) is not None:
                done.append(key)
    if done and len(done) == len(changed):
        saved(settings.saved_text(done, all_saved=True))
    elif done:
        ui.success(settings.saved_text(done, all_saved=False))


st.subheader(_("The ladder"), divider="gray")
st.caption(_("A row is a prospect with at least the prospect threshold of prospect criteria (or "
             "any lead criterion), and a lead with at least the lead threshold of lead "
             "criteria. Changing a threshold, or switching a criterion on or off, recomputes "
             "every status at once."))
thresholds()
criteria()
if may_change:
    add_criterion()
st.subheader(_("Pipeline steps"), divider="gray")
st.caption(_("The steps a lead moves through, in order, named in English and German. A step "
             "that still holds open leads cannot be switched off."))
pipeline_steps()
st.subheader(_("Import, duplicates, calendar and access"), divider="gray")
other_settings()
