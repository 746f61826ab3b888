"""Who may see and do what on groundswell's pages (issue 19's "exposed server" and "secrets fail
closed and loud"): logins checked at start, every page behind the login when one is required,
actions for logged-in people only, response links that expire and work once, guessing limited.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from click.testing import CliRunner
from datasette_auth_passwords.utils import hash_password

from groundswell.cli import cli
from groundswell.store import open_db
from groundswell.web.access import make_response_token
from groundswell.web.serve import (
    LoginRequiredError,
    check_login_configured,
    login_accounts,
    make_datasette,
)
from tests.test_datasette_pages import seeded_db

HASH = hash_password("correct horse", salt="s4lt", iterations=1000)
SECRET = "x" * 40
PAGES = ["/", "/-/groundswell/inbox", "/-/groundswell/respond/m1", "/-/groundswell/digests",
         "/-/groundswell/digests/2026-W47", "/-/groundswell/digests/2026-W47.html",
         "/-/groundswell/searches", "/groundswell/mentions", "/groundswell/mentions/m1",
         "/groundswell/topic_trends"]  # fmt: skip


def run(ds, *requests):
    async def send():
        return [await getattr(ds.client, method)(path, **kw) for method, path, kw in requests]

    return asyncio.run(send())


def login_cookie(ds, who: str = "dana") -> dict:
    return {"ds_actor": ds.sign({"a": {"id": who}}, "actor")}


def csrf(ds) -> tuple[dict, dict]:
    """A CSRF cookie and the matching form field (as a browser sends them)."""
    token = ds.sign({}, "csrftoken")
    return {"ds_csrftoken": token}, {"csrftoken": token}


# --- secrets fail closed and loud ------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "not-a-hash", "pbkdf2_sha256$480000$salt$short",
                                   "md5$1$salt$" + "A" * 43 + "="])  # fmt: skip
def test_a_malformed_password_hash_stops_serve_with_one_line(tmp_path, monkeypatch, value):
    monkeypatch.setenv("GROUNDSWELL_PASSWORD_HASH", value)
    monkeypatch.setenv("DATASETTE_SECRET", SECRET)
    open_db(tmp_path / "g.db")
    for host in ("127.0.0.1", "0.0.0.0"):
        result = CliRunner().invoke(cli, ["serve", "--host", host, "--db", str(tmp_path / "g.db")])
        assert result.exit_code == 1, result.output
        assert (
            "GROUNDSWELL_PASSWORD_HASH" in result.output and "nobody could log in" in result.output
        )
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_beyond_loopback_the_secret_must_be_set(monkeypatch):
    environ = {"GROUNDSWELL_PASSWORD_HASH": HASH}
    with pytest.raises(LoginRequiredError, match="DATASETTE_SECRET"):
        check_login_configured("0.0.0.0", environ)
    with pytest.raises(LoginRequiredError, match="DATASETTE_SECRET"):
        check_login_configured("0.0.0.0", {**environ, "DATASETTE_SECRET": "short"})
    assert check_login_configured("0.0.0.0", {**environ, "DATASETTE_SECRET": SECRET}) is True
    assert check_login_configured("127.0.0.1", environ) is False  # loopback: reading is open
    assert check_login_configured("127.0.0.1", {}) is False


def test_each_password_hash_variable_is_a_login():
    environ = {"GROUNDSWELL_PASSWORD_HASH": HASH, "GROUNDSWELL_PASSWORD_HASH_DANA": HASH,
               "GROUNDSWELL_PASSWORD_HASH_": HASH, "OTHER": "x"}  # fmt: skip
    assert login_accounts(environ) == {"analyst": "GROUNDSWELL_PASSWORD_HASH",
                                       "dana": "GROUNDSWELL_PASSWORD_HASH_DANA"}  # fmt: skip


# --- every page behind the login ---------------------------------------------------------------


def test_with_a_login_required_every_page_refuses_anonymous_visitors(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDSWELL_PASSWORD_HASH", HASH)
    ds = make_datasette(seeded_db(tmp_path / "g.db"), require_login=True)
    anonymous = run(ds, *[("get", path, {}) for path in PAGES])
    assert [r.status_code for r in anonymous] == [403] * len(PAGES), [
        (p, r.status_code) for p, r in zip(PAGES, anonymous, strict=True)]  # fmt: skip
    assert all("Hostile" not in r.text and "Invoice export" not in r.text for r in anonymous)
    cookie = login_cookie(ds, "analyst")
    logged_in = run(ds, *[("get", path, {"cookies": cookie}) for path in PAGES])
    assert [r.status_code for r in logged_in] == [200] * len(PAGES), [
        (p, r.status_code) for p, r in zip(PAGES, logged_in, strict=True)]  # fmt: skip


def test_anonymous_visitors_read_but_cannot_act(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    ds = make_datasette(db_path)
    cookies, form = csrf(ds)
    data = {**form, "mention_id": "m1", "action": "responded", "nonce": "n1"}
    page, action = run(ds, ("get", "/-/groundswell/inbox", {}),
                       ("post", "/-/groundswell/inbox/act", {"data": data, "cookies": cookies}))  # fmt: skip
    assert page.status_code == 200 and "Invoice export broken" in page.text
    assert "Mark responded" not in page.text  # no buttons for visitors
    assert action.status_code == 302
    db = open_db(db_path)
    assert not db["mentions"].get("m1")["vendor_responded"]
    assert db.execute("select count(*) from inbox_actions").fetchone()[0] == 0


def test_a_logged_in_person_acts_once_per_form_and_needs_the_csrf_token(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    ds = make_datasette(db_path)
    cookies, form = csrf(ds)
    cookies = {**cookies, **login_cookie(ds)}
    data = {**form, "mention_id": "m1", "action": "acknowledge", "nonce": "n1",
            "next": "/groundswell/mentions/m1"}  # fmt: skip
    no_csrf, first, double = run(
        ds,
        ("post", "/-/groundswell/inbox/act", {"data": {**data, "csrftoken": "x"}, "cookies": cookies}),
        ("post", "/-/groundswell/inbox/act", {"data": data, "cookies": cookies}),
        ("post", "/-/groundswell/inbox/act", {"data": data, "cookies": cookies}),
    )  # fmt: skip
    assert no_csrf.status_code == 403
    assert first.status_code == double.status_code == 302
    assert first.headers["location"] == "/groundswell/mentions/m1"
    db = open_db(db_path)
    assert db["inbox"].get("m1")["acknowledged_by"] == "dana"
    assert db["alerts"].get("a2")["acknowledged_by"] == "dana"
    assert db.execute("select count(*) from inbox_actions").fetchone()[0] == 1


# --- response links ------------------------------------------------------------------------------


def respond(ds, token: str, mention_id: str = "m1", bearer: bool = True):
    path = f"/-/groundswell/respond/{mention_id}"
    if bearer:
        return ("post", path, {"headers": {"Authorization": f"Bearer {token}"}})
    cookies, form = csrf(ds)
    return ("post", path, {"data": {**form, "token": token}, "cookies": cookies})


def test_a_response_link_works_once(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    ds = make_datasette(db_path)
    token = make_response_token(ds, "m1", "dana")
    page, first, again = run(ds, ("get", f"/-/groundswell/respond/m1?token={token}", {}),
                             respond(ds, token, bearer=False), respond(ds, token))  # fmt: skip
    assert page.status_code == 200 and 'name="token"' in page.text
    assert first.status_code == 302
    assert again.status_code == 409 and "already used" in again.text
    db = open_db(db_path)
    assert db["mentions"].get("m1")["vendor_responded"] == 1
    assert db["alerts"].get("a2")["status"] == "responded"
    assert db["alerts"].get("a2")["responded_by"] == "response link from dana"


def test_expired_forged_and_misdirected_links_are_refused(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    ds = make_datasette(db_path)
    expired = make_response_token(ds, "m1", "dana", now=time.time() - 73 * 3600)
    other = make_response_token(ds, "m2", "dana")
    forged = make_response_token(make_datasette(db_path), "m1", "dana")  # another secret
    answers = run(ds, respond(ds, expired), respond(ds, other), respond(ds, forged),
                  respond(ds, ""))  # fmt: skip
    assert [r.status_code for r in answers] == [403, 403, 403, 403]
    assert "expired" in answers[0].text and "another mention" in answers[1].text
    assert not open_db(db_path)["mentions"].get("m1")["vendor_responded"]


def test_guessing_response_links_is_rate_limited(tmp_path):
    ds = make_datasette(seeded_db(tmp_path / "g.db"))
    guesses = run(ds, *[respond(ds, f"guess-{n}") for n in range(10)])
    assert [r.status_code for r in guesses] == [403] * 10
    good = make_response_token(ds, "m1", "dana")
    (blocked,) = run(ds, respond(ds, good))
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "600"


def test_guessing_passwords_is_rate_limited(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDSWELL_PASSWORD_HASH", HASH)
    ds = make_datasette(seeded_db(tmp_path / "g.db"))
    cookies, form = csrf(ds)

    def attempt(password: str):
        return ("post", "/-/login", {"data": {**form, "username": "analyst", "password": password},
                                     "cookies": cookies})  # fmt: skip

    wrong = run(ds, *[attempt(f"guess {n}") for n in range(10)])
    assert [r.status_code for r in wrong] == [200] * 10  # the form again
    (blocked,) = run(ds, attempt("correct horse"))
    assert blocked.status_code == 429
    fresh = make_datasette(seeded_db(tmp_path / "h.db"))
    cookies, form = csrf(fresh)
    (right,) = run(fresh, attempt("correct horse"))
    assert right.status_code == 302 and "ds_actor" in right.headers.get("set-cookie", "")


def test_run_stops_at_start_on_a_malformed_password_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDSWELL_PASSWORD_HASH", "   ")
    config = tmp_path / "g.toml"
    config.write_text("")
    open_db(tmp_path / "g.db")
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--db", str(tmp_path / "g.db")]
    )
    assert result.exit_code == 1 and "GROUNDSWELL_PASSWORD_HASH is set but empty" in result.output
    assert "Traceback" not in result.output
