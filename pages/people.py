"""People: admins add and invite users, change roles and teams, deactivate (handing the work
over) and reactivate, send password resets, manage teams and read the audit log. Managers see
their team's members read-only. lib refuses every change a role may not make."""

import streamlit as st

from lib import access, audit, auth, i18n, ui, users
from lib.i18n import _, ngettext, pgettext

conn = ui.connection()
me = ui.require_user()
viewer = ui.current_viewer()
st.title(pgettext("page", "People"))
ROLE_HELP = _("admin: everything, including people and settings · manager: their team's rows, "
              "leads and numbers · rep: works rows and leads · ops: imports, undo, lists")
PEOPLE_COLUMNS = {
    "name": st.column_config.TextColumn(_("Name")),
    "email": st.column_config.TextColumn(_("E-mail")),
    "role": st.column_config.TextColumn(_("Role")),
    "team": st.column_config.TextColumn(_("Team")),
    "active": st.column_config.CheckboxColumn(_("Active")),
    "has_password": st.column_config.CheckboxColumn(_("Password set")),
    "language": st.column_config.TextColumn(_("Language")),
    "last_login": st.column_config.DatetimeColumn(_("Last login"),
                                                  format=i18n.column_format("moment")),
}
LANGUAGE_CHOICES = {None: _("Like the browser"), **i18n.LANGUAGES}
# Choices are labelled by looking up tables made in this run's language (not by calling ``_``
# later), so a widget reads the same whenever its labels are asked for.
ROLE_CHOICES = i18n.translated(access.ROLE_LABELS)


def role_label(role: str) -> str:
    return ROLE_CHOICES[role]


def team_choices(team_names: dict[int, str]) -> dict[int | None, str]:
    return {None: _("no team"), **team_names}


def people_list(team_id: int | None = None) -> None:
    table = users.people_table(conn, team_id).drop(columns="id")
    table["role"] = table["role"].map(role_label)
    table["language"] = table["language"].map(LANGUAGE_CHOICES.get, na_action="ignore").fillna(
        LANGUAGE_CHOICES[None])
    st.dataframe(table, hide_index=True, width="stretch", column_config=PEOPLE_COLUMNS,
                 column_order=list(PEOPLE_COLUMNS), key="people_table")


def show_link(kind: str) -> None:
    """The one-time link just made, shown in this run only (it is stored only hashed)."""
    made = st.session_state.get("people_link")
    if made and made[2] == kind:
        name, url, _kind = st.session_state.pop("people_link")
        ui.success(_("Send this link to {name}. It works once and is shown only now.").format(
            name=name), icon="🔗")
        st.code(url, language=None)


def add_person(team_names: dict[int, str]) -> None:
    with st.form("people_add", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input(_("Name"), key="people_add_name")
        email = right.text_input(_("E-mail (their login)"), key="people_add_email")
        role = left.selectbox(_("Role"), access.ROLES, index=access.ROLES.index("rep"),
                              format_func=ROLE_CHOICES.get, help=ROLE_HELP,
                              key="people_add_role")
        team = right.selectbox(_("Team"), [None, *team_names], key="people_add_team",
                               format_func=team_choices(team_names).get)
        how = st.radio(_("How they get in"), ["invite", "password"], horizontal=True,
                       format_func={"invite": _("Send a one-time invitation link"),
                                    "password": _("Set a password now")}.get,
                       key="people_add_how")
        password = st.text_input(_("Password (only when set now)"), type="password",
                                 key="people_add_password", autocomplete="new-password")
        submitted = st.form_submit_button(_("Add person"), type="primary")
    if submitted:
        added = ui.attempt(users.add, conn, name, email, role, team_id=team,
                           password=password if how == "password" else None, by=me.id)
        if added and how == "invite":
            token = ui.attempt(auth.issue_link, conn, added.id, "invite", by=me.id)
            if token:
                st.session_state.people_link = (added.name, ui.link_url(token, "people"),
                                                "invite")
        if added:
            ui.flash(_("{name} added as {role}.").format(name=added.name,
                                                         role=role_label(added.role)))
            st.rerun()


def change_person(team_names: dict[int, str]) -> None:
    everyone = users.all_users(conn, include_inactive=True)
    if not everyone:
        return
    names = {u.id: f"{u.name} <{u.email}>" + ("" if u.active else " " + _("(deactivated)"))
             for u in everyone}
    chosen = st.selectbox(_("Person"), list(names), format_func=names.get, key="people_pick")
    person = users.get(conn, chosen)
    with st.form(f"people_edit_{person.id}"):
        left, middle, right = st.columns(3)
        role = left.selectbox(_("Role"), access.ROLES, index=access.ROLES.index(person.role),
                              format_func=ROLE_CHOICES.get, help=ROLE_HELP,
                              key=f"people_role_{person.id}")
        teams = [None, *team_names]
        team = middle.selectbox(_("Team"), teams, index=teams.index(person.team_id),
                                format_func=team_choices(team_names).get,
                                key=f"people_team_{person.id}")
        language = right.selectbox(_("Language"), list(LANGUAGE_CHOICES),
                                   index=list(LANGUAGE_CHOICES).index(person.language),
                                   format_func=LANGUAGE_CHOICES.get,
                                   key=f"people_language_{person.id}")
        if st.form_submit_button(_("Save role, team and language"), type="primary"):
            save_role_and_team(person, role, team, language, team_names)
    buttons = st.columns(3)
    if buttons[0].button(_("Reset password…"), key="people_reset", disabled=not person.active,
                         help=_("A one-time link to set a new password, valid for 2 hours")):
        token = ui.attempt(auth.issue_link, conn, person.id, "reset", by=me.id)
        if token:
            st.session_state.people_link = (person.name, ui.link_url(token, "people"), "reset")
    if buttons[1].button(_("Log out everywhere"), key="people_logout_all",
                         disabled=not person.active):
        ended = ui.attempt(auth.log_out_everywhere, conn, person.id, by=me.id)
        if ended is not None:
            ui.success(ngettext("{name}: {count} login session ended.",
                                "{name}: {count} login sessions ended.", ended).format(
                name=person.name, count=ended), icon=None)
    show_link("reset")
    if person.active:
        deactivate(person)
    elif buttons[2].button(_("Reactivate"), key="people_reactivate"):
        if ui.attempt(users.reactivate, conn, person.id, by=me.id):
            ui.flash(_("{name} can log in again.").format(name=person.name))
            st.rerun()


def save_role_and_team(person: users.User, role: str, team: int | None, language: str | None,
                       team_names: dict[int, str]) -> None:
    if ui.attempt(users.set_role, conn, person.id, role, by=me.id) and ui.attempt(
            users.set_team, conn, person.id, team, by=me.id) and ui.attempt(
            users.set_language, conn, person.id, language, by=me.id):
        ui.flash(_("{name}: role {role}, {team}, language: {language}.").format(
            name=person.name, role=role_label(role),
            team=team_choices(team_names)[team],
            language=LANGUAGE_CHOICES[language]))
        st.rerun()


def deactivate(person: users.User) -> None:
    """Deactivate, handing the open leads and owned rows to someone else in the same step."""
    work = users.work_of(conn, person.id)
    with st.popover(_("Deactivate…")):
        st.text(_("{name} will not be able to log in; their name stays in the history. They "
                  "have {leads} open leads and own {rows} rows.").format(
            name=person.name, leads=work.open_leads, rows=work.rows))
        heirs = {i: n for i, n in users.owner_names(conn).items() if i != person.id}
        hand_to = st.selectbox(_("Hand them over to"), list(heirs), format_func=heirs.get,
                               index=None, placeholder=_("Choose who takes over"),
                               key=f"people_hand_to_{person.id}") if work.any else None
        if st.button(_("Deactivate"), type="primary", key=f"people_deactivate_{person.id}"):
            done = ui.attempt(users.deactivate, conn, person.id, hand_to=hand_to, by=me.id)
            if done is not None:
                ui.flash(_("{name} deactivated; {leads} open leads and {rows} rows handed "
                           "over.").format(name=person.name, leads=done.open_leads,
                                           rows=done.rows))
                st.rerun()


def teams_section(team_names: dict[int, str]) -> None:
    st.dataframe(users.teams_table(conn).drop(columns="id"), hide_index=True, width="stretch",
                 key="people_teams_table", column_config={
                     "team": st.column_config.TextColumn(_("Team")),
                     "members": st.column_config.NumberColumn(_("Members")),
                     "managers": st.column_config.TextColumn(_("Managers"))})
    left, right = st.columns(2)
    with left.form("people_new_team", clear_on_submit=True):
        name = st.text_input(_("New team"), key="people_new_team_name")
        if st.form_submit_button(_("Create team")) and ui.attempt(
                users.create_team, conn, name, by=me.id):
            ui.flash(_("Team {name} created.").format(name=name.strip()))
            st.rerun()
    if team_names:
        with right.form("people_rename_team"):
            chosen = st.selectbox(_("Team"), list(team_names), format_func=team_names.get,
                                  key="people_rename_pick")
            name = st.text_input(_("New name"), key="people_rename_name")
            if st.form_submit_button(_("Rename")) and ui.attempt(
                    users.rename_team, conn, chosen, name, by=me.id):
                ui.flash(_("Team renamed."))
                st.rerun()


def audit_section() -> None:
    shown = i18n.translated(audit.ACTIONS)
    actions = {None: _("Everything"), **shown}
    chosen = st.selectbox(_("Show"), list(actions), format_func=actions.get, key="people_audit")
    log = audit.recent(conn, action=chosen)
    log["action"] = log["action"].map(shown)
    st.dataframe(log, hide_index=True, width="stretch", key="people_audit_table",
                 column_config={
                     "when": st.column_config.DatetimeColumn(
                         _("When (UTC)"), format=i18n.column_format("moment_seconds")),
                     "who": st.column_config.TextColumn(_("Who")),
                     "action": st.column_config.TextColumn(_("Action")),
                     "target": st.column_config.TextColumn(_("Target")),
                     "detail": st.column_config.TextColumn(_("Detail")),
                     "rows": st.column_config.NumberColumn(_("Rows"))})


ui.show_flash()
if viewer.may("manage_people"):
    team_names = users.team_names(conn)
    people, teams, log = st.tabs([pgettext("page", "People"), _("Teams"), _("Audit log")])
    with people:
        people_list()
        st.subheader(_("Add a person"), divider="gray")
        add_person(team_names)
        show_link("invite")
        st.subheader(_("Change a person"), divider="gray")
        change_person(team_names)
    with teams:
        teams_section(team_names)
    with log:
        audit_section()
elif viewer.may("see_people") and me.team_id is not None:
    ui.note(_("The members of {team}. Only an admin changes people and teams.").format(
        team=users.team(conn, me.team_id).name))
    people_list(me.team_id)
else:
    st.info(_("Only admins manage people; managers see their team here."), icon="🔒")
