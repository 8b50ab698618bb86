"""People: admins add and invite users, change roles and teams, deactivate (handing the work
over) and reactivate, send password resets, manage teams and read the audit log. Managers see
their team's members read-only. lib refuses every change a role may not make."""

import streamlit as st

from lib import access, audit, auth, ui, users

conn = ui.connection()
me = ui.require_user()
viewer = ui.current_viewer()
st.title("People")
ROLE_HELP = ("admin: everything, including people and settings · manager: their team's rows, "
             "leads and numbers · rep: works rows and leads · ops: imports, undo, lists")
PEOPLE_COLUMNS = {
    "name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("E-mail"),
    "role": st.column_config.TextColumn("Role"),
    "team": st.column_config.TextColumn("Team"),
    "active": st.column_config.CheckboxColumn("Active"),
    "has_password": st.column_config.CheckboxColumn("Password set"),
    "last_login": st.column_config.DatetimeColumn("Last login", format="YYYY-MM-DD HH:mm"),
}


def people_list(team_id: int | None = None) -> None:
    table = users.people_table(conn, team_id)
    st.dataframe(table.drop(columns=["id", "language"]), hide_index=True, width="stretch",
                 column_config=PEOPLE_COLUMNS, key="people_table")


def show_link(kind: str) -> None:
    """The one-time link just made, shown in this run only (it is stored only hashed)."""
    made = st.session_state.get("people_link")
    if made and made[2] == kind:
        name, url, _ = st.session_state.pop("people_link")
        ui.success(f"Send this link to {name}. It works once and is shown only now.", icon="🔗")
        st.code(url, language=None)


def add_person(team_names: dict[int, str]) -> None:
    with st.form("people_add", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input("Name", key="people_add_name")
        email = right.text_input("E-mail (their login)", key="people_add_email")
        role = left.selectbox("Role", access.ROLES, index=access.ROLES.index("rep"),
                              help=ROLE_HELP, key="people_add_role")
        team = right.selectbox("Team", [None, *team_names], key="people_add_team",
                               format_func=lambda t: "no team" if t is None else team_names[t])
        how = st.radio("How they get in", ["invite", "password"], horizontal=True,
                       format_func={"invite": "Send a one-time invitation link",
                                    "password": "Set a password now"}.get, key="people_add_how")
        password = st.text_input("Password (only when set now)", type="password",
                                 key="people_add_password", autocomplete="new-password")
        submitted = st.form_submit_button("Add person", type="primary")
    if submitted:
        added = ui.attempt(users.add, conn, name, email, role, team_id=team,
                           password=password if how == "password" else None, by=me.id)
        if added and how == "invite":
            token = ui.attempt(auth.issue_link, conn, added.id, "invite", by=me.id)
            if token:
                st.session_state.people_link = (added.name, ui.link_url(token, "people"),
                                                "invite")
        if added:
            ui.flash(f"{added.name} added as {added.role}.")
            st.rerun()


def change_person(team_names: dict[int, str]) -> None:
    everyone = users.all_users(conn, include_inactive=True)
    if not everyone:
        return
    names = {u.id: f"{u.name} <{u.email}>" + ("" if u.active else " (deactivated)")
             for u in everyone}
    chosen = st.selectbox("Person", list(names), format_func=names.get, key="people_pick")
    person = users.get(conn, chosen)
    with st.form(f"people_edit_{person.id}"):
        left, right = st.columns(2)
        role = left.selectbox("Role", access.ROLES, index=access.ROLES.index(person.role),
                              help=ROLE_HELP, key=f"people_role_{person.id}")
        teams = [None, *team_names]
        team = right.selectbox("Team", teams, index=teams.index(person.team_id),
                               format_func=lambda t: "no team" if t is None else team_names[t],
                               key=f"people_team_{person.id}")
        if st.form_submit_button("Save role and team", type="primary"):
            save_role_and_team(person, role, team, team_names)
    buttons = st.columns(3)
    if buttons[0].button("Reset password…", key="people_reset", disabled=not person.active,
                         help="A one-time link to set a new password, valid for 2 hours"):
        token = ui.attempt(auth.issue_link, conn, person.id, "reset", by=me.id)
        if token:
            st.session_state.people_link = (person.name, ui.link_url(token, "people"), "reset")
    if buttons[1].button("Log out everywhere", key="people_logout_all",
                         disabled=not person.active):
        ended = ui.attempt(auth.log_out_everywhere, conn, person.id, by=me.id)
        if ended is not None:
            ui.success(f"{person.name}: {ended} login session(s) ended.", icon=None)
    show_link("reset")
    if person.active:
        deactivate(person)
    elif buttons[2].button("Reactivate", key="people_reactivate"):
        if ui.attempt(users.reactivate, conn, person.id, by=me.id):
            ui.flash(f"{person.name} can log in again.")
            st.rerun()


def save_role_and_team(person: users.User, role: str, team: int | None,
                       team_names: dict[int, str]) -> None:
    if ui.attempt(users.set_role, conn, person.id, role, by=me.id) and ui.attempt(
            users.set_team, conn, person.id, team, by=me.id):
        ui.flash(f"{person.name}: role {role}, "
                 f"{'no team' if team is None else team_names[team]}.")
        st.rerun()


def deactivate(person: users.User) -> None:
    """Deactivate, handing the open leads and owned rows to someone else in the same step."""
    work = users.work_of(conn, person.id)
    with st.popover("Deactivate…"):
        st.text(f"{person.name} will not be able to log in; their name stays in the history. "
                f"They have {work.open_leads} open leads and own {work.rows} rows.")
        heirs = {i: n for i, n in users.owner_names(conn).items() if i != person.id}
        hand_to = st.selectbox("Hand them over to", list(heirs), format_func=heirs.get,
                               index=None, placeholder="Choose who takes over",
                               key=f"people_hand_to_{person.id}") if work.any else None
        if st.button("Deactivate", type="primary", key=f"people_deactivate_{person.id}"):
            done = ui.attempt(users.deactivate, conn, person.id, hand_to=hand_to, by=me.id)
            if done is not None:
                ui.flash(f"{person.name} deactivated; {done.open_leads} open leads and "
                         f"{done.rows} rows handed over.")
                st.rerun()


def teams_section(team_names: dict[int, str]) -> None:
    st.dataframe(users.teams_table(conn).drop(columns="id"), hide_index=True, width="stretch",
                 key="people_teams_table")
    left, right = st.columns(2)
    with left.form("people_new_team", clear_on_submit=True):
        name = st.text_input("New team", key="people_new_team_name")
        if st.form_submit_button("Create team") and ui.attempt(
                users.create_team, conn, name, by=me.id):
            ui.flash(f"Team {name.strip()} created.")
            st.rerun()
    if team_names:
        with right.form("people_rename_team"):
            chosen = st.selectbox("Team", list(team_names), format_func=team_names.get,
                                  key="people_rename_pick")
            name = st.text_input("New name", key="people_rename_name")
            if st.form_submit_button("Rename") and ui.attempt(
                    users.rename_team, conn, chosen, name, by=me.id):
                ui.flash("Team renamed.")
                st.rerun()


def audit_section() -> None:
    actions = {None: "Everything", **audit.ACTIONS}
    chosen = st.selectbox("Show", list(actions), format_func=actions.get, key="people_audit")
    log = audit.recent(conn, action=chosen)
    log["action"] = log["action"].map(audit.ACTIONS)
    st.dataframe(log, hide_index=True, width="stretch", key="people_audit_table",
                 column_config={"when": st.column_config.DatetimeColumn(
                     "When (UTC)", format="YYYY-MM-DD HH:mm:ss")})


ui.show_flash()
if viewer.may("manage_people"):
    team_names = users.team_names(conn)
    people, teams, log = st.tabs(["People", "Teams", "Audit log"])
    with people:
        people_list()
        st.subheader("Add a person", divider="gray")
        add_person(team_names)
        show_link("invite")
        st.subheader("Change a person", divider="gray")
        change_person(team_names)
    with teams:
        teams_section(team_names)
    with log:
        audit_section()
elif viewer.may("see_people") and me.team_id is not None:
    ui.note(f"The members of {users.team(conn, me.team_id).name}. Only an admin changes people "
            "and teams.")
    people_list(me.team_id)
else:
    st.info("Only admins manage people; managers see their team here.", icon="🔒")
