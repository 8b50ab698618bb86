"""Local login in lib: hashes, the password rules, throttling, sessions, one-time links."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lib import audit, auth, db, passwords, settings, users
from lib.db import utcnow
from lib.errors import InvalidInput, UserError

PASSWORD = "a long enough phrase"


@pytest.fixture
def anna(any_db) -> users.User:
    return users.add(any_db, "Anna Schmidt", "Anna.Schmidt@Example.com", "rep",
                     password=PASSWORD)


def stored_hash(db, user_id: int) -> str | None:
    return db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()[0]


def actions(db) -> list[str]:
    return list(audit.recent(db)["action"])[::-1]


def test_passwords_are_stored_as_argon2id_hashes_that_verify(any_db, anna):
    stored = stored_hash(any_db, anna.id)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD.upper())
    assert not passwords.verify(None, PASSWORD)
    assert not passwords.verify("not a hash", PASSWORD)


@pytest.mark.parametrize("weak", ["short pass", "password2026!", "123456789012",
                                  "Qwertz123456", "aaaaaaaaaaaaaaa", "Schmidt-2026-2026"])
def test_short_common_and_own_name_passwords_are_refused(any_db, weak):
    with pytest.raises(InvalidInput, match="password"):
        users.add(any_db, "Anna Schmidt", "anna@example.com", "rep", password=weak)
    assert not users.exist(any_db)


def test_the_e_mail_is_the_login_name_unique_without_case(any_db, anna):
    assert users.by_email(any_db, "anna.schmidt@example.com") == anna
    with pytest.raises(InvalidInput, match="already has a user"):
        users.add(any_db, "Other Anna", "ANNA.SCHMIDT@example.com", "rep")
    login = auth.log_in(any_db, "  ANNA.schmidt@EXAMPLE.com ", PASSWORD, client="10.0.0.1")
    assert login.user.id == anna.id
    assert auth.session_user(any_db, login.token) == anna


def test_a_wrong_password_and_an_unknown_e_mail_get_the_same_answer(any_db, anna):
    with pytest.raises(auth.LoginRefused) as wrong:
        auth.log_in(any_db, anna.email, "not the password!", client="10.0.0.1")
    with pytest.raises(auth.LoginRefused) as unknown:
        auth.log_in(any_db, "nobody@example.com", "not the password!", client="10.0.0.2")
    assert str(wrong.value) == str(unknown.value) == auth.WRONG
    assert actions(any_db)[-2:] == ["login_failed", "login_failed"]
    assert any_db.execute("SELECT count(*) FROM login_sessions").fetchone()[0] == 0


def test_five_failures_lock_the_account_for_15_minutes_even_with_the_right_password(
        any_db, anna):
    for n in range(auth.FAILURE_LIMIT):
        with pytest.raises(auth.LoginRefused, match="wrong"):
            auth.log_in(any_db, anna.email, f"wrong guess number {n}", client=f"10.0.0.{n}")
    with pytest.raises(auth.LoginRefused) as locked:
        auth.log_in(any_db, anna.email, PASSWORD, client="10.9.9.9")
    assert str(locked.value) == auth.THROTTLED
    # the same lock for an e-mail without an account: the answer tells nothing
    for n in range(auth.FAILURE_LIMIT):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(any_db, "ghost@example.com", "wrong guess!!", client=f"10.1.0.{n}")
    with pytest.raises(auth.LoginRefused, match="Too many"):
        auth.log_in(any_db, "ghost@example.com", "wrong guess!!", client="10.1.1.1")
    any_db.execute("UPDATE login_failures SET happened_at = happened_at - INTERVAL '16 minutes'")
    assert auth.log_in(any_db, anna.email, PASSWORD, client="10.9.9.9").user == anna


def test_five_failures_from_one_client_lock_that_client_for_every_account(any_db, anna):
    users.add(any_db, "Ben Okafor", "ben@example.com", "rep", password=PASSWORD)
    for n in range(auth.FAILURE_LIMIT):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(any_db, f"guess{n}@example.com", "wrong guess!!", client="10.6.6.6")
    with pytest.raises(auth.LoginRefused, match="Too many"):
        auth.log_in(any_db, "ben@example.com", PASSWORD, client="10.6.6.6")
    assert auth.log_in(any_db, "ben@example.com", PASSWORD, client="10.7.7.7").user.name \
        == "Ben Okafor"


def test_a_success_clears_the_account_s_failures(any_db, anna):
    for n in range(auth.FAILURE_LIMIT - 1):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(any_db, anna.email, "wrong guess!!", client=f"10.0.0.{n}")
    auth.log_in(any_db, anna.email, PASSWORD, client="10.0.1.1")
    with pytest.raises(auth.LoginRefused, match="wrong"):
        auth.log_in(any_db, anna.email, "wrong guess!!", client="10.0.2.2")
    assert auth.log_in(any_db, anna.email, PASSWORD, client="10.0.3.3").user == anna


def test_a_deactivated_user_cannot_log_in_and_their_sessions_stop(any_db, anna):
    token = auth.log_in(any_db, anna.email, PASSWORD, client=None).token
    any_db.execute("UPDATE users SET active = false WHERE id = ?", [anna.id])
    assert auth.session_user(any_db, token) is None
    with pytest.raises(auth.LoginRefused, match="wrong"):
        auth.log_in(any_db, anna.email, PASSWORD, client=None)


def test_a_session_ends_after_the_idle_time_and_lives_while_used(any_db, anna):
    settings.put(any_db, "session_idle_minutes", 30, by=None)
    token = auth.log_in(any_db, anna.email, PASSWORD, client=None).token
    start = utcnow()
    assert auth.session_user(any_db, token, start + timedelta(minutes=25)) == anna
    # used at minute 25, so still alive at minute 50
    assert auth.session_user(any_db, token, start + timedelta(minutes=50)) == anna
    assert auth.session_user(any_db, token, start + timedelta(minutes=81)) is None
    assert auth.session_user(any_db, "a made-up token") is None
    stored = any_db.execute("SELECT token_hash FROM login_sessions").fetchone()[0]
    assert stored == auth.token_hash(token) != token


def test_log_out_ends_one_session_and_log_out_everywhere_ends_all(any_db, anna):
    laptop, phone, tablet = (auth.log_in(any_db, anna.email, PASSWORD, client=None).token
                             for _ in range(3))
    auth.log_out(any_db, laptop)
    assert auth.session_user(any_db, laptop) is None
    assert auth.session_user(any_db, phone) == anna
    assert auth.log_out_everywhere(any_db, anna.id, by=anna.id) == 2
    assert auth.session_user(any_db, phone) is None
    assert auth.session_user(any_db, tablet) is None
    assert auth.log_in(any_db, anna.email, PASSWORD, client=None).user == anna


def test_an_invite_link_sets_the_password_once(any_db):
    admin = users.add(any_db, "Ada Admin", "ada@example.com", "admin", password=PASSWORD)
    ben = users.add(any_db, "Ben Okafor", "ben@example.com", "rep", by=admin.id)
    token = auth.issue_link(any_db, ben.id, "invite", by=admin.id)
    assert len(token) >= 43  # 256 bits, URL-safe
    assert auth.link_user(any_db, token) == (ben, "invite")
    stored = any_db.execute("SELECT token_hash FROM user_links").fetchone()[0]
    assert stored == auth.token_hash(token)
    with pytest.raises(InvalidInput, match="differ"):
        auth.use_link(any_db, token, "ben's new phrase", "ben's other phrase")
    with pytest.raises(InvalidInput, match="at least 12"):
        auth.use_link(any_db, token, "short", "short")
    login = auth.use_link(any_db, token, "ben's new phrase", "ben's new phrase")
    assert login.user == ben and auth.session_user(any_db, login.token) == ben
    with pytest.raises(UserError, match="not valid any more"):
        auth.use_link(any_db, token, "another new phrase", "another new phrase")
    assert auth.log_in(any_db, ben.email, "ben's new phrase", client=None).user == ben


def test_a_reset_link_expires_is_replaced_by_a_newer_one_and_logs_out_everywhere(
        any_db, anna):
    old_session = auth.log_in(any_db, anna.email, PASSWORD, client=None).token
    issued = utcnow()
    expired = auth.issue_link(any_db, anna.id, "reset", by=None, now=issued)
    assert auth.link_user(any_db, expired, issued + timedelta(hours=3)) is None
    first = auth.issue_link(any_db, anna.id, "reset", by=None)
    second = auth.issue_link(any_db, anna.id, "reset", by=None)
    assert auth.link_user(any_db, first) is None
    auth.use_link(any_db, second, "anna's fresh phrase", "anna's fresh phrase")
    assert auth.session_user(any_db, old_session) is None
    with pytest.raises(auth.LoginRefused):
        auth.log_in(any_db, anna.email, PASSWORD, client=None)


def test_the_first_admin_is_created_only_on_a_database_without_users(any_db):
    with pytest.raises(InvalidInput, match="differ"):
        auth.create_first_admin(any_db, "Ada", "ada@example.com", PASSWORD, PASSWORD + "x")
    assert not users.exist(any_db)
    login = auth.create_first_admin(any_db, "Ada", "ada@example.com", PASSWORD, PASSWORD)
    assert login.user.role == "admin"
    assert auth.session_user(any_db, login.token) == login.user
    with pytest.raises(UserError) as refused:
        auth.create_first_admin(any_db, "Eve", "eve@example.com", PASSWORD, PASSWORD)
    assert str(refused.value) == auth.ADMIN_EXISTS == "An admin already exists; log in."
    assert [u.name for u in users.all_users(any_db)] == ["Ada"]


def first_admin_forms_at_once(conn: db.Connection) -> dict[str, auth.Login | str]:
    """Two sessions (a cursor and a thread each) send the first-admin form at the same moment;
    what each got back: its login, or the message it was shown."""
    start = threading.Barrier(2)
    got: dict[str, auth.Login | str] = {}

    def send(name: str, email: str) -> None:
        cursor = conn.cursor()
        start.wait()
        try:
            got[name] = auth.create_first_admin(cursor, name, email, PASSWORD, PASSWORD)
        except Exception as exc:  # the test reads what happened, a crash included
            got[name] = f"{type(exc).__name__}: {exc}"

    senders = [threading.Thread(target=send, args=person)
               for person in (("Ada", "ada@example.com"), ("Eve", "eve@example.com"))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    return got


@pytest.mark.parametrize("attempt", range(3))
def test_two_first_admin_forms_at_once_make_one_admin_and_tell_the_other(attempt):
    conn = db.connect(":memory:")
    try:
        got = first_admin_forms_at_once(conn)
        winners = [name for name, result in got.items() if isinstance(result, auth.Login)]
        assert len(winners) == 1, got
        loser = ({"Ada", "Eve"} - set(winners)).pop()
        assert got[loser] == "UserError: " + auth.ADMIN_EXISTS
        cur = conn.cursor()
        assert [(u.name, u.role) for u in users.all_users(cur, include_inactive=True)] == [
            (winners[0], "admin")]
        assert cur.execute("SELECT count(*) FROM login_sessions").fetchone()[0] == 1
        assert auth.session_user(cur, got[winners[0]].token).name == winners[0]
        assert [(a, t) for a, t in cur.execute(
            "SELECT action, target FROM audit_log ORDER BY id").fetchall()] == [
            ("user_added", f"{winners[0].lower()}@example.com"),
            ("login", f"{winners[0].lower()}@example.com")]
    finally:
        conn.close()


def test_a_handoff_code_gives_its_token_once_and_only_to_its_client():
    code = auth.make_handoff("session-token", "10.0.0.1")
    assert auth.take_handoff(code, "10.0.0.2") is None  # another client: spent, refused
    assert auth.take_handoff(code, "10.0.0.1") is None
    code = auth.make_handoff("session-token", "10.0.0.1")
    assert auth.take_handoff(code, "10.0.0.1") == "session-token"
    assert auth.take_handoff(code, "10.0.0.1") is None
    assert auth.take_handoff("made-up", None) is None


def test_logins_and_failures_are_in_the_audit_log(any_db, anna):
    with pytest.raises(auth.LoginRefused):
        auth.log_in(any_db, anna.email, "wrong guess!!", client="10.0.0.1")
    auth.log_in(any_db, anna.email, PASSWORD, client="10.0.0.1")
    log = audit.recent(any_db)
    assert list(log["action"])[:2] == ["login", "login_failed"]
    assert list(log["who"])[:2] == ["Anna Schmidt", "anonymous"]
    assert "10.0.0.1" in log["detail"].iloc[1]


def test_a_wrong_current_password_counts_as_a_failed_login_and_locks_the_change(any_db, anna):
    """A borrowed session must not be a way to guess the password: the change form shares the
    login's count and lockout, each failure is audited, and the answer never varies."""
    stored = stored_hash(any_db, anna.id)
    answers = []
    for n in range(auth.FAILURE_LIMIT):
        with pytest.raises(auth.LoginRefused) as wrong:
            auth.change_password(any_db, anna.id, f"wrong guess number {n}", "a new phrase x1",
                                 "a new phrase x1", client="10.0.0.1")
        answers.append(str(wrong.value))
    with pytest.raises(auth.LoginRefused) as locked:  # the right password, but locked now
        auth.change_password(any_db, anna.id, PASSWORD, "a new phrase x1", "a new phrase x1",
                             client="10.0.0.1")
    assert set(answers) == {str(locked.value)} == {auth.CURRENT_WRONG}
    assert stored_hash(any_db, anna.id) == stored
    with pytest.raises(auth.LoginRefused) as login:  # the same lock on the login form
        auth.log_in(any_db, anna.email, PASSWORD, client="10.9.9.9")
    assert str(login.value) == auth.THROTTLED
    failed = audit.recent(any_db, action="password_change_failed")
    assert list(failed["who"]) == ["Anna Schmidt"] * (auth.FAILURE_LIMIT + 1)
    assert list(failed["detail"]) == (["throttled; client 10.0.0.1"]
                                      + ["wrong current password; client 10.0.0.1"] * 5)
    any_db.execute("UPDATE login_failures SET happened_at = happened_at - INTERVAL '16 minutes'")
    assert auth.change_password(any_db, anna.id, PASSWORD, "a new phrase x1",
                                "a new phrase x1", client="10.0.0.1") == 0
    assert auth.log_in(any_db, anna.email, "a new phrase x1", client="10.0.0.1").user == anna


def test_failed_logins_count_towards_the_change_form_s_lock_and_a_change_clears_them(
        any_db, anna):
    for n in range(auth.FAILURE_LIMIT - 1):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(any_db, anna.email, f"wrong guess number {n}", client=None)
    with pytest.raises(auth.LoginRefused, match="current password is wrong"):
        auth.change_password(any_db, anna.id, "one more guess!", "a new phrase x1",
                             "a new phrase x1")
    with pytest.raises(auth.LoginRefused, match="current password is wrong"):
        auth.change_password(any_db, anna.id, PASSWORD, "a new phrase x1", "a new phrase x1")
    any_db.execute("UPDATE login_failures SET happened_at = happened_at - INTERVAL '16 minutes'")
    with pytest.raises(auth.LoginRefused):
        auth.log_in(any_db, anna.email, "a wrong guess again", client=None)
    auth.change_password(any_db, anna.id, PASSWORD, "a new phrase x1", "a new phrase x1")
    assert any_db.execute("SELECT count(*) FROM login_failures").fetchone()[0] == 0
