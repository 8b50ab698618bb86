"""Single sign-on rules: claims → leadladder user, refusals, the group claim, the providers."""

from __future__ import annotations

import pytest

from lib import auth, login_routes, settings, sso, users
from lib.errors import InvalidInput
from lib.users import User

CONFIG = {"group_claim": "groups", "groups": [
    {"group": "leadladder-admins", "role": "admin"},
    {"group": "sales-north", "role": "rep", "team": "North"},
    {"group": "sales-north-leads", "role": "manager", "team": "North"},
]}
ANNA = User(7, "Anna Schmidt", "anna.schmidt@example.com", "rep")


def claims(email="Anna.Schmidt@Example.com", **more):
    return {"sub": "a1", "email": email, "email_verified": True, "name": "Anna Schmidt", **more}


def test_the_group_table_reads_in_order_and_checks_its_roles():
    rules = sso.rules(CONFIG, create_reps=False)
    assert rules.group_claim == "groups" and not rules.create_reps
    assert [(r.group, r.role, r.team) for r in rules.groups] == [
        ("leadladder-admins", "admin", None), ("sales-north", "rep", "North"),
        ("sales-north-leads", "manager", "North")]
    assert sso.rules(None, create_reps=True) == sso.Rules(create_reps=True)


@pytest.mark.parametrize(("config", "says"), [
    ({"group_claim": "g", "groups": [{"group": "x", "role": "boss"}]}, "role 'boss'"),
    ({"group_claim": "g", "groups": [{"role": "rep"}]}, "entry 1 needs a group"),
    ({"groups": [{"group": "x", "role": "rep"}]}, "no group_claim"),
])
def test_a_mistake_in_the_group_table_is_said(config, says):
    with pytest.raises(InvalidInput, match=says):
        sso.rules(config, create_reps=False)


def test_the_first_matching_group_in_the_table_wins():
    rules = sso.rules(CONFIG, create_reps=False)
    person = sso.claimed(claims(groups=["sales-north-leads", "sales-north"]), rules)
    assert (person.rule.role, person.rule.team) == ("rep", "North")
    assert sso.claimed(claims(groups="leadladder-admins"), rules).rule.role == "admin"
    assert sso.claimed(claims(groups=["other"]), rules).rule is None
    assert sso.claimed(claims(), rules).rule is None


def test_the_e_mail_and_name_come_from_the_claims():
    person = sso.claimed(claims(), sso.Rules())
    assert (person.email, person.name) == ("Anna.Schmidt@Example.com", "Anna Schmidt")
    named = sso.claimed({"email": "b@x.de", "given_name": "Ben", "family_name": "Okafor"},
                        sso.Rules())
    assert named.name == "Ben Okafor"
    assert sso.claimed({"email": "c.d@x.de"}, sso.Rules()).name == "c.d"
    entra = sso.claimed({"preferred_username": "e@x.de"},
                        sso.Rules(email_claim="preferred_username"))
    assert entra.email == "e@x.de"


@pytest.mark.parametrize(("given", "says"), [
    ({"sub": "x", "name": "No Mail"}, "did not say your e-mail address"),
    (claims(email_verified=False), "has not verified Anna.Schmidt@Example.com"),
])
def test_a_sign_in_without_a_usable_e_mail_is_refused(given, says):
    with pytest.raises(sso.SignInRefused, match=says):
        sso.claimed(given, sso.Rules())


def test_a_required_group_refuses_everyone_outside_the_table():
    rules = sso.Rules(group_claim="groups", groups=(sso.GroupRule("sales", "rep"),),
                      require_group=True)
    with pytest.raises(sso.SignInRefused, match="none of the groups"):
        sso.claimed(claims(groups=["marketing"]), rules)
    assert sso.claimed(claims(groups=["sales"]), rules).rule.group == "sales"


def test_unknown_people_are_refused_unless_reps_are_created():
    person = sso.claimed(claims(email="new@example.com"), sso.Rules())
    assert "no leadladder account for new@example.com" in sso.refusal(person, None, sso.Rules())
    assert sso.refusal(person, None, sso.Rules(create_reps=True)) is None


def test_a_deactivated_user_is_refused_even_with_a_group():
    rules = sso.rules(CONFIG, create_reps=True)
    person = sso.claimed(claims(groups=["leadladder-admins"]), rules)
    gone = User(7, "Anna Schmidt", "anna.schmidt@example.com", "rep", active=False)
    assert "deactivated" in sso.refusal(person, gone, rules)
    assert sso.refusal(person, ANNA, rules) is None


def test_a_group_sets_role_and_team_and_a_new_user_is_a_rep_by_default():
    rules = sso.rules(CONFIG, create_reps=True)
    lead = sso.claimed(claims(groups=["sales-north-leads"]), rules)
    assert sso.changes(lead, ANNA) == {"role": "manager", "team": "North"}
    assert sso.changes(lead, None) == {"role": "manager", "team": "North"}
    plain = sso.claimed(claims(), rules)
    assert sso.changes(plain, None) == {"role": "rep"}
    assert sso.changes(plain, ANNA) == {}
    same = sso.claimed(claims(groups=["sales-north"]), rules)
    assert sso.changes(same, ANNA) == {"team": "North"}


def test_the_providers_come_from_the_auth_section():
    base = {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "s"}
    assert sso.providers(None) == {}
    assert sso.providers({"client_id": "c"}) == {}  # no redirect_uri: st.login would fail
    assert sso.providers({**base, "client_id": "c"}, {"default": "Keycloak"}) == {
        "default": "Keycloak"}
    assert sso.providers({**base, "client_id": "c"}) == {"default": "single sign-on"}
    named = {**base, "google": {"client_id": "g"}, "microsoft": {"client_id": "m"},
             "expose_tokens": "id"}
    assert sso.providers(named, {"microsoft": "Microsoft Entra"}) == {
        "google": "Google", "microsoft": "Microsoft Entra"}


# --- the database side: sign_in matches, creates, applies groups, starts a session -----------


@pytest.fixture
def people(any_db):
    admin = users.add(any_db, "Ada Admin", "ada@example.com", "admin")
    anna = users.add(any_db, "Anna Schmidt", "anna.schmidt@example.com", "rep")
    gone = users.add(any_db, "Dora Gone", "dora@example.com", "rep")
    any_db.execute("UPDATE users SET active = false WHERE id = ?", [gone.id])
    return {"admin": admin, "anna": anna, "gone": gone}


def audit_rows(db, action):
    return db.execute("SELECT target, detail FROM audit_log WHERE action = ? ORDER BY id",
                      [action]).fetchall()


def test_a_known_e_mail_signs_in_whatever_its_case_and_gets_a_session(any_db, people):
    login = sso.sign_in(any_db, claims(), sso.Rules(), client="10.0.0.7")
    assert login.user.id == people["anna"].id
    assert auth.session_user(any_db, login.token).id == people["anna"].id
    assert audit_rows(any_db, "login") == [
        ("anna.schmidt@example.com", "single sign-on; client 10.0.0.7")]


@pytest.mark.parametrize(("email", "says"), [
    ("nobody@example.com", "no leadladder account for nobody@example.com"),
    ("DORA@example.com", "The account dora@example.com is deactivated"),
])
def test_unknown_and_deactivated_are_refused_audited_and_nothing_is_created(
        any_db, people, email, says):
    before = [u.email for u in users.all_users(any_db, include_inactive=True)]
    with pytest.raises(sso.SignInRefused, match=says):
        sso.sign_in(any_db, claims(email=email), sso.Rules())
    assert [u.email for u in users.all_users(any_db, include_inactive=True)] == before
    assert any_db.execute("SELECT count(*) FROM login_sessions").fetchone() == (0,)
    ((target, detail),) = audit_rows(any_db, "login_failed")
    assert target == email.lower() and detail.startswith("single sign-on: ")


def test_a_group_makes_a_known_rep_manager_of_a_team_created_for_it(any_db, people):
    rules = sso.rules(CONFIG, create_reps=False)
    login = sso.sign_in(any_db, claims(groups=["sales-north-leads"]), rules)
    anna = users.get(any_db, people["anna"].id)
    assert (login.user.role, anna.role, users.team_names(any_db)[anna.team_id]) == (
        "manager", "manager", "North")
    assert [a for a, _ in audit_rows(any_db, "role_changed")] == ["anna.schmidt@example.com"]
    again = sso.sign_in(any_db, claims(groups=["sales-north-leads"]), rules)
    assert again.user.team_id == anna.team_id and len(users.teams(any_db)) == 1


def test_with_creating_reps_a_new_e_mail_becomes_a_rep_or_what_its_group_says(
        any_db, people):
    rules = sso.rules(CONFIG, create_reps=True)
    ben = sso.sign_in(any_db, claims(email="Ben@Example.com", name="Ben Okafor"), rules).user
    assert (ben.name, ben.email, ben.role, ben.team_id) == (
        "Ben Okafor", "Ben@example.com", "rep", None)
    cleo = sso.sign_in(any_db, claims(email="cleo@example.com", name="Cleo",
                                        groups=["sales-north"]), rules).user
    assert (cleo.role, users.team_names(any_db)[cleo.team_id]) == ("rep", "North")
    assert users.by_email(any_db, "BEN@example.com").id == ben.id


def test_the_setting_decides_whether_reps_are_created(any_db, people):
    assert not sso.rules_for(any_db, CONFIG).create_reps
    settings.put(any_db, "create_reps_on_first_login", "on", by=people["admin"].id)
    assert sso.rules_for(any_db, CONFIG).create_reps


def test_streamlit_still_names_its_identity_cookies_as_the_logout_drops_them():
    from streamlit.web.server.starlette.starlette_server_config import (
        TOKENS_COOKIE_NAME,
        USER_COOKIE_NAME,
    )
    assert login_routes.IDENTITY_COOKIES == (USER_COOKIE_NAME, TOKENS_COOKIE_NAME)
