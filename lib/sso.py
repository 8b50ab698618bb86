"""Single sign-on: who an OpenID Connect sign-in is in leadladder, and what it may change.

Streamlit's ``st.login`` does the protocol (Authlib, configured in ``.streamlit/secrets.toml``
``[auth]``); its ``st.user`` holds the ID token's claims. The rules here are plain functions
over those claims: the e-mail names the leadladder user (compared without case); an unknown
e-mail is refused unless the admin setting ``create_reps_on_first_login`` is on; a deactivated
user is refused; an optional group claim maps to role and team (``[sso]`` in secrets.toml).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib import access, audit, auth, settings, users
from lib.db import Connection, transaction
from lib.errors import InvalidInput, UserError
from lib.i18n import _

DEFAULT_PROVIDER = "default"  # Streamlit's name for the provider configured in [auth] itself


class SignInRefused(UserError):
    """The identity provider knows this person, leadladder does not let them in."""


@dataclass(frozen=True)
class GroupRule:
    """People in ``group`` get ``role`` and/or join ``team`` (None: leave it as it is)."""

    group: str
    role: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Rules:
    """How claims become a leadladder user (``[sso]`` of secrets.toml plus the admin setting)."""

    email_claim: str = "email"
    group_claim: str | None = None
    groups: tuple[GroupRule, ...] = ()
    require_group: bool = False
    create_reps: bool = False


@dataclass(frozen=True)
class Claimed:
    """What the sign-in says about the person: e-mail, name and the first matching group."""

    email: str
    name: str
    rule: GroupRule | None


def rules(config: Mapping[str, Any] | None, *, create_reps: bool) -> Rules:
    """The ``[sso]`` table of secrets.toml as rules; a mistake in it is said plainly."""
    config = dict(config or {})
    groups = tuple(_group_rule(i, entry) for i, entry in enumerate(config.get("groups") or []))
    claim = config.get("group_claim")
    if groups and not claim:
        raise InvalidInput(_("[sso] maps groups but names no group_claim"),
                           column="group_claim")
    return Rules(email_claim=str(config.get("email_claim") or "email"),
                 group_claim=str(claim) if claim else None, groups=groups,
                 require_group=bool(config.get("require_group", False)),
                 create_reps=create_reps)


def _group_rule(index: int, entry: Mapping[str, Any]) -> GroupRule:
    where = _("[[sso.groups]] entry {number}").format(number=index + 1)
    if not isinstance(entry, Mapping) or not str(entry.get("group") or "").strip():
        raise InvalidInput(_("{where} needs a group").format(where=where), column="groups")
    role = entry.get("role")
    if role is not None and role not in access.ROLES:
        raise InvalidInput(_("{where}: role '{role}' is not one of {roles}").format(
            where=where, role=role, roles=", ".join(access.ROLES)), column="groups")
    team = str(entry["team"]).strip() if entry.get("team") else None
    return GroupRule(str(entry["group"]).strip(), role, team)


def groups_of(claims: Mapping[str, Any], claim: str | None) -> list[str]:
    """The groups a sign-in names: a list claim, or one string (a single group)."""
    value = claims.get(claim) if claim else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, Sequence) and not isinstance(
        value, str) else [str(value)]


def matching_rule(groups: Sequence[str], rules_: Rules) -> GroupRule | None:
    """The first rule (in the order of secrets.toml) whose group the person is in."""
    member = set(groups)
    return next((rule for rule in rules_.groups if rule.group in member), None)


def claimed(claims: Mapping[str, Any], rules_: Rules) -> Claimed:
    """Read the claims; refuse a sign-in without a (verified) e-mail or without a required
    group."""
    email = str(claims.get(rules_.email_claim) or "").strip()
    if "@" not in email:
        raise SignInRefused(_("The sign-in did not say your e-mail address (claim '{claim}'): "
                              "ask an admin to check the single sign-on settings.").format(
            claim=rules_.email_claim))
    if claims.get("email_verified") is False:
        raise SignInRefused(_("Your identity provider has not verified {email}: verify it "
                              "there, then sign in again.").format(email=email))
    rule = matching_rule(groups_of(claims, rules_.group_claim), rules_)
    if rule is None and rules_.require_group:
        raise SignInRefused(_("{email} is in none of the groups that may use leadladder: "
                              "ask an admin to add you to one.").format(email=email))
    name = str(claims.get("name") or "").strip() or " ".join(
        str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return Claimed(email=email, name=name or email.split("@")[0], rule=rule)


def refusal(person: Claimed, existing: users.User | None, rules_: Rules) -> str | None:
    """Why this person may not sign in, or None: unknown (and no creating), or deactivated."""
    if existing is None and not rules_.create_reps:
        return _("There is no leadladder account for {email}. Ask an admin to add you (or to "
                 "switch on creating reps at their first sign-in).").format(email=person.email)
    if existing is not None and not existing.active:
        return _("The account {email} is deactivated: ask an admin to reactivate it.").format(
            email=existing.email)
    return None


def changes(person: Claimed, existing: users.User | None) -> dict[str, str]:
    """What the sign-in sets: a new user's role (rep unless a group says otherwise), and the
    role and team a matching group gives."""
    rule = person.rule or GroupRule("")
    wanted = {"role": rule.role or ("rep" if existing is None else None), "team": rule.team}
    current = {"role": existing.role, "team": None} if existing else {}
    return {key: value for key, value in wanted.items()
            if value is not None and value != current.get(key)}


def providers(auth_section: Mapping[str, Any] | None,
              labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """The providers secrets.toml configures, name → what the button says after "Sign in
    with": the one in ``[auth]`` itself and each ``[auth.NAME]`` table with a client_id."""
    section, labels = dict(auth_section or {}), dict(labels or {})
    if not {"redirect_uri", "cookie_secret"} <= set(section):
        return {}
    found = [DEFAULT_PROVIDER] if "client_id" in section else []
    found += [name for name, value in section.items()
              if isinstance(value, Mapping) and "client_id" in value]
    default = labels.get(DEFAULT_PROVIDER, _("single sign-on"))
    return {name: str(labels.get(name, default if name == DEFAULT_PROVIDER else name.title()))
            for name in found}


# --- the database side ---------------------------------------------------------------------


def rules_for(db: Connection, config: Mapping[str, Any] | None) -> Rules:
    return rules(config, create_reps=bool(settings.get(db, "create_reps_on_first_login")))


def sign_in(db: Connection, claims: Mapping[str, Any], rules_: Rules, *,
            client: str | None = None) -> auth.Login:
    """Match the claims to a user (creating a rep when allowed), apply the group's role and
    team, and start a login session, in one transaction; a refusal is audited and raised."""
    try:
        return _signed_in(db, claims, rules_, client)
    except SignInRefused as exc:
        _refused(db, str(claims.get(rules_.email_claim) or "?"), str(exc), client)
        raise


@transaction
def _signed_in(db: Connection, claims: Mapping[str, Any], rules_: Rules,
               client: str | None) -> auth.Login:
    person = claimed(claims, rules_)
    existing = users.by_email(db, person.email)
    if why := refusal(person, existing, rules_):
        raise SignInRefused(why)
    user = _applied(db, person, existing, changes(person, existing))
    return auth.Login(user, auth.start_session(db, user.id, client=client, how="single sign-on"))


@transaction
def _refused(db: Connection, email: str, why: str, client: str | None) -> None:
    audit.record(db, "login_failed", user_id=None, target=email.strip().lower()[:200],
                 detail=f"single sign-on: {why}; client {client or 'local'}")


def _applied(db: Connection, person: Claimed, existing: users.User | None,
             wanted: dict[str, str]) -> users.User:
    team_id = _team_id(db, wanted["team"]) if "team" in wanted else None
    if existing is None:
        return users.add(db, person.name, person.email, wanted["role"], team_id=team_id)
    if "role" in wanted:
        existing = users.set_role(db, existing.id, wanted["role"], by=None)
    if team_id is not None and team_id != existing.team_id:
        existing = users.set_team(db, existing.id, team_id, by=None)
    return existing


def _team_id(db: Connection, name: str) -> int:
    """The team a group names, created the first time someone of it signs in."""
    found = users.team_by_name(db, name)
    return found.id if found else users.create_team(db, name, by=None).id
