"""Sign-up: registration modes, invite codes, handles, ages."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.accounts.models import User
from kinema.runtime import Runtime


def _invite_of(api_client, user) -> str:  # type: ignore[no-untyped-def]
    invites = api_client(user).get("/api/me/invites").json()["invites"]
    return str(invites[0]["code"])


def _signup(client: TestClient, **fields: object):  # type: ignore[no-untyped-def]
    body = {
        "handle": "newbie",
        "email": "newbie@example.com",
        "password": "a good long password",
        "birthdate": "1995-06-01",
    }
    body.update(fields)
    return client.post("/api/auth/signup", json=body)


def test_signup_with_invite_creates_account_and_signs_in(client, make_user, api_client) -> None:
    inviter = make_user("inviter")
    code = _invite_of(api_client, inviter)

    response = _signup(client, invite_code=code)

    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert user["handle"] == "newbie"
    assert user["is_teen"] is False
    assert "password" not in response.text and "password_hash" not in user
    # Signed in straight away.
    assert client.get("/api/me").json()["user"]["handle"] == "newbie"


def test_signup_without_invite_is_refused(client: TestClient) -> None:
    response = _signup(client)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invite_required"


def test_signup_with_unknown_invite_is_refused(client: TestClient, runtime: Runtime) -> None:
    response = _signup(client, invite_code="zzzz-zzzz-zzzz")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_invite"
    with runtime.sessions() as session:
        assert session.scalar(select(User).where(User.handle == "newbie")) is None


def test_used_invite_cannot_be_used_again(client, make_user, api_client, app) -> None:
    code = _invite_of(api_client, make_user("inviter"))
    assert _signup(client, invite_code=code).status_code == 201

    with TestClient(app) as other_browser:
        again = _signup(
            other_browser, handle="second", email="second@example.com", invite_code=code
        )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invite_used"


def test_open_registration_needs_no_invite(settings, runtime, client: TestClient) -> None:
    settings.registration = "open"
    assert _signup(client).status_code == 201


def test_closed_registration_refuses_everyone(
    settings, runtime, client, make_user, api_client
) -> None:
    code = _invite_of(api_client, make_user("inviter"))
    settings.registration = "closed"
    response = _signup(client, invite_code=code)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "registration_closed"


def test_handles_are_unique_regardless_of_case(client, make_user, api_client) -> None:
    inviter = make_user("inviter")
    make_user("taken")
    response = _signup(client, handle="TaKeN", invite_code=_invite_of(api_client, inviter))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "handle_taken"


def test_handle_is_stored_lower_case(settings, client: TestClient) -> None:
    settings.registration = "open"
    response = _signup(client, handle="MixedCase.99")
    assert response.status_code == 201
    assert response.json()["user"]["handle"] == "mixedcase.99"


@pytest.mark.parametrize("handle", ["ab", "a" * 31, "has space", "dash-es", "émile", ""])
def test_bad_handles_are_refused_and_nothing_is_used_up(
    handle, client, make_user, api_client, runtime
) -> None:
    inviter = make_user("inviter")
    code = _invite_of(api_client, inviter)
    response = _signup(client, handle=handle, invite_code=code)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_handle"
    assert "3 to 30" in error["message"]
    # The invite is still unused: a failed request changes nothing.
    invites = api_client(inviter).get("/api/me/invites").json()["invites"]
    assert all(invite["used_by"] is None for invite in invites)


def _answer_shape(value: object) -> object:
    """The answer with ids, handles, addresses and times left out: what is left must
    not depend on whether the address was in use."""
    if isinstance(value, dict):
        return {k: _answer_shape(v) for k, v in value.items() if k not in _PERSONAL}
    return value


_PERSONAL = {"id", "handle", "email", "created_at"}


def test_sign_up_does_not_tell_whether_an_email_is_in_use(settings, app, make_user) -> None:
    """Someone probing addresses gets the same answer for one that has an account and
    one that has none, and can do the same things afterwards with either."""
    settings.registration = "open"
    make_user("owner", email="owner@example.com")
    answers = {}
    for handle, email in (("prober_a", "fresh@example.com"), ("prober_b", "OWNER@example.com")):
        with TestClient(app, base_url="http://testserver") as browser:
            signed_up = _signup(browser, handle=handle, email=email)
            me = browser.get("/api/me")
            answers[email] = signed_up
            assert signed_up.status_code == 201, signed_up.text
            assert signed_up.json()["user"]["email"] == email.lower()
            assert me.json()["user"]["email"] == email.lower()
            assert set(signed_up.cookies) == {"kinema_session", "kinema_csrf"}
            # Signing in again with the address and one's own password works either way.
            browser.cookies.clear()
            again = browser.post(
                "/api/auth/login", json={"login": email, "password": "a good long password"}
            )
            assert again.status_code == 200, again.text
            assert again.json()["user"]["handle"] == handle
    fresh, taken = answers["fresh@example.com"], answers["OWNER@example.com"]
    assert _answer_shape(fresh.json()) == _answer_shape(taken.json())
    assert sorted(fresh.headers) == sorted(taken.headers)


def test_the_owner_of_an_email_keeps_it_and_is_told_of_a_new_account_with_it(
    settings, app, client, make_user
) -> None:
    settings.registration = "open"
    make_user("owner", email="owner@example.com")
    with TestClient(app, base_url="http://testserver") as newcomer:
        assert _signup(newcomer, handle="newcomer", email="owner@example.com").status_code == 201
        # The newcomer hears nothing about the other account.
        assert newcomer.get("/api/notifications").json()["items"] == []

    own = client.post(
        "/api/auth/login",
        json={"login": "owner@example.com", "password": "correct horse battery staple"},
    )
    assert own.status_code == 200, own.text
    assert own.json()["user"]["handle"] == "owner"
    assert own.json()["user"]["email"] == "owner@example.com"
    [notice] = client.get("/api/notifications").json()["items"]
    assert notice["kind"] == "email_shared"
    assert notice["actor"]["handle"] == "newcomer"
    assert "@newcomer" in notice["text"] and "your email address" in notice["text"]
    # The newcomer's password does not open the owner's account.
    client.cookies.clear()
    theirs = client.post(
        "/api/auth/login",
        json={"login": "owner@example.com", "password": "a good long password"},
    )
    assert theirs.json()["user"]["handle"] == "newcomer"


def test_administrators_still_cannot_give_two_accounts_one_email(runtime, make_user) -> None:
    from kinema.accounts import service
    from kinema.db import transaction
    from kinema.errors import Conflict

    make_user("first", email="same@example.com")
    with pytest.raises(Conflict) as refused, transaction(runtime.sessions) as session:
        service.create_user(
            session,
            runtime.settings,
            handle="second",
            email="SAME@example.com",
            password="a good long password",
        )
    assert refused.value.code == "email_taken"


def test_bad_email_and_short_password(settings, client: TestClient) -> None:
    settings.registration = "open"
    assert _signup(client, email="not-an-email").json()["error"]["code"] == "invalid_email"
    assert _signup(client, password="short").json()["error"]["code"] == "weak_password"


def _birthdate_years_ago(years: int, days_more: int = 0) -> str:
    today = date.today()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return date.fromordinal(then.toordinal() - days_more).isoformat()


def test_under_thirteen_is_refused_with_a_clear_message(settings, client, runtime) -> None:
    settings.registration = "open"
    # One day short of 13.
    response = _signup(client, birthdate=_birthdate_years_ago(13, days_more=-1))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_young"
    assert "13" in error["message"]
    with runtime.sessions() as session:
        assert session.scalar(select(User)) is None


def test_teens_are_flagged(settings, client: TestClient) -> None:
    settings.registration = "open"
    response = _signup(client, birthdate=_birthdate_years_ago(13))
    assert response.status_code == 201
    assert response.json()["user"]["is_teen"] is True


def test_adults_are_not_flagged(settings, client: TestClient) -> None:
    settings.registration = "open"
    response = _signup(client, birthdate=_birthdate_years_ago(18))
    assert response.json()["user"]["is_teen"] is False


def test_bad_birthdate_is_a_validation_error(settings, client: TestClient) -> None:
    settings.registration = "open"
    response = _signup(client, birthdate="not a date")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "birthdate" in error["message"]


def test_new_users_get_invites(client, make_user, api_client, settings) -> None:
    user = make_user("someone")
    invites = api_client(user).get("/api/me/invites").json()["invites"]
    assert len(invites) == settings.invites_per_user == 4
    assert len({invite["code"] for invite in invites}) == 4


def test_invite_list_shows_who_used_each_code(client, make_user, api_client) -> None:
    inviter = make_user("inviter")
    code = _invite_of(api_client, inviter)
    assert _signup(client, handle="friend", invite_code=code.upper()).status_code == 201

    invites = api_client(inviter).get("/api/me/invites").json()["invites"]
    used = {invite["code"]: invite["used_by"] for invite in invites}
    assert used[code] == "friend"
    assert sum(1 for who in used.values() if who is None) == 3


def test_signup_is_rate_limited(settings, app) -> None:
    settings.registration = "open"
    statuses = []
    for n in range(12):
        with TestClient(app) as browser:
            statuses.append(
                _signup(browser, handle=f"user{n}", email=f"user{n}@example.com").status_code
            )
    assert statuses[:10] == [201] * 10
    assert statuses[10:] == [429, 429]
