"""Account operations, one function per thing a person (or an administrator) does.

Services take a database ``Session`` and explicit arguments, return domain objects and
raise ``kinema.errors`` exceptions; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kinema.accounts.models import ApiKey, Invite, LoginSession, RateLimitBucket, User
from kinema.db import utcnow
from kinema.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    NotSignedIn,
    RateLimited,
)
from kinema.ids import new_id
from kinema.settings import Settings

HANDLE_PATTERN = re.compile(r"^[a-z0-9_.]{3,30}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MINIMUM_AGE = 13
ADULT_AGE = 18
SESSION_LIFETIME = timedelta(days=30)
API_KEY_PREFIX = "kin_"
_INVITE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)

# argon2id with the library's recommended parameters (RFC 9106 low-memory profile).
password_hasher = PasswordHasher()
# Verified against when the login name is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = password_hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``capacity`` attempts at once, refilled one every ``refill_seconds``."""

    capacity: int
    refill_seconds: float


MAX_API_KEYS_PER_USER = 50
LOGIN_PER_IP = RateLimit(capacity=30, refill_seconds=6)
LOGIN_PER_NAME = RateLimit(capacity=10, refill_seconds=30)
SIGNUP_PER_IP = RateLimit(capacity=10, refill_seconds=60)
UNSHARED_EMAIL_DOMAIN = "unshared.invalid"


@dataclass(frozen=True)
class SignedIn:
    """A fresh browser session: the user and the cookie value (never stored as is)."""

    user: User
    session_token: str


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token: what sessions and API keys keep at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def age_on(birthdate: date, today: date) -> int:
    """Full years between ``birthdate`` and ``today``."""
    years = today.year - birthdate.year
    if (today.month, today.day) < (birthdate.month, birthdate.day):
        years -= 1
    return years


def _check_handle(handle: str) -> str:
    clean = normalize_handle(handle)
    if not HANDLE_PATTERN.fullmatch(clean):
        raise InvalidInput(
            "A handle is 3 to 30 characters: letters, digits, '_' and '.'.",
            code="invalid_handle",
        )
    return clean


def _check_email(email: str) -> str:
    clean = _normalize_email(email)
    if len(clean) > 254 or not EMAIL_PATTERN.fullmatch(clean):
        raise InvalidInput("That does not look like an email address.", code="invalid_email")
    return clean


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password can be at most {MAX_PASSWORD_LENGTH} characters.",
            code="invalid_password",
        )


def _check_birthdate(birthdate: date, today: date) -> bool:
    """Refuse children under 13; return whether the person is a teen (under 18)."""
    if birthdate > today:
        raise InvalidInput("The birthdate is in the future.", code="invalid_birthdate")
    age = age_on(birthdate, today)
    if age < MINIMUM_AGE:
        raise InvalidInput(
            f"You must be at least {MINIMUM_AGE} years old to use Kinema.", code="too_young"
        )
    return age < ADULT_AGE


def _ensure_handle_available(session: Session, handle: str) -> None:
    # Handles are public (every profile shows one), so saying one is taken tells nothing.
    if session.scalar(select(User.id).where(User.handle == handle)) is not None:
        raise Conflict(f"The handle @{handle} is taken.", code="handle_taken")


def _email_owner(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def _unshared_address(user_id: str) -> str:
    """The sign-in address kept for an account whose typed address another account
    signs in with: its own, unique, and undeliverable (``.invalid`` is reserved for
    exactly that by RFC 2606)."""
    return f"{user_id}@{UNSHARED_EMAIL_DOMAIN}"


def _new_user(
    session: Session,
    settings: Settings,
    *,
    handle: str,
    email: str,
    password: str,
    birthdate: date | None,
    is_admin: bool,
    invited_by: str | None,
    today: date | None,
    share_taken_email: bool = False,
) -> User:
    clean_handle = _check_handle(handle)
    clean_email = _check_email(email)
    _check_password(password)
    is_teen = False
    if birthdate is not None:
        is_teen = _check_birthdate(birthdate, today or utcnow().date())
    _ensure_handle_available(session, clean_handle)
    user_id = new_id("usr")
    owner = _email_owner(session, clean_email)
    shared_email: str | None = None
    if owner is not None:
        if not share_taken_email:
            raise Conflict("An account with that email already exists.", code="email_taken")
        shared_email = clean_email
        clean_email = _unshared_address(user_id)
    user = User(
        id=user_id,
        handle=clean_handle,
        email=clean_email,
        shared_email=shared_email,
        password_hash=password_hasher.hash(password),
        birthdate=birthdate,
        is_teen=is_teen,
        is_admin=is_admin,
        role="admin" if is_admin else "user",
        is_suspended=False,
        invited_by=invited_by,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        # Two sign-ups raced for the same handle or email.
        raise Conflict("That handle or email was just taken.", code="handle_taken") from exc
    issue_invites(session, count=settings.invites_per_user, created_by=user.id)
    if owner is not None:
        # Imported here: the social package imports this module.
        from kinema.social import service as social

        social.notify_email_shared(session, owner_id=owner.id, newcomer=user)
    return user


def sign_up(
    session: Session,
    settings: Settings,
    *,
    handle: str,
    email: str,
    password: str,
    birthdate: date,
    invite_code: str | None = None,
    today: date | None = None,
) -> User:
    """Create an account through the public sign-up, honouring the registration mode:
    ``invite`` needs an unused code (which this redeems), ``open`` does not, ``closed``
    refuses everyone.

    Sign-up never tells whether an address is in use, since that would let anyone
    with an invite test addresses for accounts. An address another account already
    signs in with is accepted like any other: the new account shows it and signs in
    with it (``log_in`` tries both holders), and the account that had it first is told
    in a notification, the one place that cannot leak it. Handles are public, so a
    taken handle is still refused."""
    if settings.registration == "closed":
        raise Forbidden("Sign-up is closed on this instance.", code="registration_closed")
    invite: Invite | None = None
    if settings.registration == "invite":
        invite = _usable_invite(session, invite_code)
    user = _new_user(
        session,
        settings,
        handle=handle,
        email=email,
        password=password,
        birthdate=birthdate,
        is_admin=False,
        invited_by=invite.created_by if invite else None,
        today=today,
        share_taken_email=True,
    )
    if invite is not None:
        redeem_invite(session, invite.code, user)
    return user


def create_user(
    session: Session,
    settings: Settings,
    *,
    handle: str,
    email: str,
    password: str,
    birthdate: date | None = None,
    is_admin: bool = False,
) -> User:
    """Create an account as an administrator: no invite needed, in any registration mode."""
    return _new_user(
        session,
        settings,
        handle=handle,
        email=email,
        password=password,
        birthdate=birthdate,
        is_admin=is_admin,
        invited_by=None,
        today=None,
    )


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    return user


def get_user_by_handle(session: Session, handle: str) -> User:
    """The user with that handle (any case, with or without ``@``), or ``NotFound``."""
    user = session.scalar(select(User).where(User.handle == normalize_handle(handle)))
    if user is None:
        raise NotFound(f"No user @{normalize_handle(handle)}.", code="user_not_found")
    return user


def get_profile(session: Session, viewer: User | None, handle: str) -> User:
    """The person behind ``handle`` as ``viewer`` may see them on a profile: suspended
    accounts, and anyone on either side of a block with the viewer, are ``NotFound``,
    exactly like a handle nobody has (moderators are not hidden from by a block)."""
    person = get_user_by_handle(session, handle)
    missing = NotFound(f"No user @{person.handle}.", code="user_not_found")
    if person.is_suspended:
        raise missing
    if viewer is None or viewer.id == person.id or _is_staff(viewer):
        return person
    # Imported here: the social package imports this module.
    from kinema.social import service as social

    if social.is_hidden_between(session, viewer.id, person.id):
        raise missing
    return person


def _is_staff(user: User) -> bool:
    return user.is_admin or user.role in ("moderator", "admin")


def set_suspended(session: Session, user: User, suspended: bool) -> User:
    """Suspend or reinstate an account. A suspended account cannot sign in or use the
    API; its sessions and keys are kept so it can still appeal."""
    user.is_suspended = suspended
    session.flush()
    return user


# --- invites -------------------------------------------------------------------------


def _new_invite_code() -> str:
    chars = "".join(secrets.choice(_INVITE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _normalize_invite_code(code: str) -> str:
    chars = "".join(ch for ch in code.strip().lower() if ch.isalnum())
    if len(chars) != 12:
        return code.strip().lower()
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def issue_invites(session: Session, *, count: int, created_by: str | None = None) -> list[Invite]:
    """Make ``count`` fresh invite codes, owned by ``created_by`` (none for codes an
    administrator hands out)."""
    if count < 0 or count > 1000:
        raise InvalidInput("Ask for between 0 and 1000 invites.", code="invalid_count")
    invites = [
        Invite(
            id=new_id("inv"), code=_new_invite_code(), created_by=created_by, created_at=utcnow()
        )
        for _ in range(count)
    ]
    session.add_all(invites)
    session.flush()
    return invites


def _usable_invite(session: Session, code: str | None) -> Invite:
    if not code or not code.strip():
        raise InvalidInput("Sign-up needs an invite code.", code="invite_required")
    invite = session.scalar(select(Invite).where(Invite.code == _normalize_invite_code(code)))
    if invite is None:
        raise InvalidInput("That invite code is not valid.", code="invalid_invite")
    if invite.used_by is not None or invite.used_at is not None:
        raise Conflict("That invite code has already been used.", code="invite_used")
    return invite


def redeem_invite(session: Session, code: str, user: User) -> Invite:
    """Mark an unused invite code as used by ``user``. The update is conditional, so two
    people racing for one code cannot both get it."""
    invite = _usable_invite(session, code)
    claimed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_by=user.id, used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("That invite code has already been used.", code="invite_used")
    session.refresh(invite)
    return invite


def list_invites(session: Session, user: User) -> list[tuple[Invite, User | None]]:
    """The user's invite codes, oldest first, each with who used it (if anyone)."""
    rows = session.execute(
        select(Invite, User)
        .outerjoin(User, User.id == Invite.used_by)
        .where(Invite.created_by == user.id)
        .order_by(Invite.created_at, Invite.id)
    ).all()
    return [(invite, used_by) for invite, used_by in rows]


# --- sessions ------------------------------------------------------------------------


def _login_candidates(session: Session, login: str) -> list[User | None]:
    """Who a login name may mean. A handle means one account. An address means the
    account that signs in with it and the newest account that typed it at sign-up
    after that (see ``sign_up``): always two places, filled or not, so that checking
    the password costs the same whether the address is shared or not."""
    name = login.strip().lower()
    if not name:
        return [None]
    if "@" not in name.lstrip("@"):
        return [session.scalar(select(User).where(User.handle == name.lstrip("@")))]
    sharer = session.scalar(
        select(User)
        .where(User.shared_email == name)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(1)
    )
    return [_email_owner(session, name), sharer]


def log_in(
    session: Session,
    *,
    login: str,
    password: str,
    previous_token: str | None = None,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> SignedIn:
    """Check a handle-or-email and password and open a new session. Any session the
    browser already had is ended (rotation), so a planted cookie cannot be reused."""
    user: User | None = None
    for candidate in _login_candidates(session, login):
        # Every candidate is checked, a match or not, so the time taken tells nothing.
        if _password_matches(candidate, password) and user is None:
            user = candidate
    if user is None:
        raise NotSignedIn("Wrong handle, email or password.", code="invalid_credentials")
    if user.is_suspended:
        raise Forbidden("This account is suspended.", code="account_suspended")
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    return start_session(
        session,
        user,
        previous_token=previous_token,
        user_agent=user_agent,
        ip_address=ip_address,
    )


def _password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; with no user, a dummy hash is checked so a
    miss costs the same time as a hit."""
    try:
        password_hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def start_session(
    session: Session,
    user: User,
    *,
    previous_token: str | None = None,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> SignedIn:
    """Open a browser session for a user whose identity is already established (right
    after sign-up, or after ``log_in`` checked the password). Ends ``previous_token``."""
    now = utcnow()
    if previous_token:
        log_out(session, previous_token)
    # Expired sessions are forgotten here rather than on every request, which stays
    # read-only.
    session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            id=new_id("ses"),
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            user_agent=(user_agent or "")[:300] or None,
            ip_address=(ip_address or "")[:64] or None,
        )
    )
    session.flush()
    return SignedIn(user=user, session_token=token)


def log_out(session: Session, session_token: str) -> None:
    """End the session behind that cookie value (nothing happens if there is none)."""
    session.execute(
        delete(LoginSession).where(LoginSession.token_hash == hash_token(session_token))
    )


def user_for_session(session: Session, session_token: str) -> User | None:
    """The signed-in user behind a session cookie, or None if it is unknown or expired.
    One indexed look-up by the token's SHA-256, and no write: this runs on every
    browser request."""
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == hash_token(session_token),
            LoginSession.expires_at > utcnow(),
        )
    )


# --- API keys ------------------------------------------------------------------------


def create_api_key(session: Session, *, user_id: str, name: str) -> tuple[ApiKey, str]:
    """Make an API key for the user; returns the row and the key itself, which is
    shown once and never stored (only its SHA-256 is)."""
    clean_name = name.strip()
    if not clean_name or len(clean_name) > 100:
        raise InvalidInput("Give the key a name of 1 to 100 characters.", code="invalid_name")
    get_user(session, user_id)
    held = session.scalar(select(func.count(ApiKey.id)).where(ApiKey.user_id == user_id))
    if int(held or 0) >= MAX_API_KEYS_PER_USER:
        raise Conflict(
            f"You have {MAX_API_KEYS_PER_USER} API keys, the most an account may hold; "
            "revoke one you no longer use first.",
            code="too_many_api_keys",
        )
    token = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"),
        user_id=user_id,
        name=clean_name,
        prefix=token[: len(API_KEY_PREFIX) + 6],
        token_hash=hash_token(token),
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return key, token


def authenticate_api_key(session: Session, token: str) -> User | None:
    """The owner of an API key, or None if the key is unknown. One indexed look-up by
    the key's SHA-256 (a key is random and long, so a fast hash is safe: nothing to
    guess offline), and read-only: see ``record_api_key_use``."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    token_hash = hash_token(token)
    row = session.execute(
        select(User, ApiKey.last_used_at)
        .join(ApiKey, ApiKey.user_id == User.id)
        .where(ApiKey.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    user, last_used_at = row
    if last_used_at is not None and utcnow() - last_used_at < KEY_USE_PRECISION:
        # Already recorded within the minute: record_api_key_use has nothing to write.
        _key_use_recorded(token_hash)
    else:
        _recorded_key_uses.pop(token_hash, None)  # the stored time is old: write it
    return user


def list_api_keys(session: Session, user: User) -> list[ApiKey]:
    """The user's API keys, newest first (the keys themselves are not kept)."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == user.id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def revoke_api_key(session: Session, user: User, key_id: str) -> None:
    """Delete one of the user's API keys; another user's key is ``NotFound``."""
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound("No such API key.", code="api_key_not_found")
    session.delete(key)
    session.flush()


# When this process last saw each key's use recorded (token hash -> monotonic seconds).
# Within ``KEY_USE_PRECISION`` of that, recording the use again would change nothing, so
# no statement is sent: most API calls then touch the database with one read only.
KEY_USE_PRECISION = timedelta(minutes=1)
_KEY_USES_REMEMBERED = 10_000
_recorded_key_uses: dict[str, float] = {}


def _key_use_recorded(token_hash: str) -> None:
    if len(_recorded_key_uses) >= _KEY_USES_REMEMBERED:
        _recorded_key_uses.clear()  # a rare, cheap reset keeps the memory bounded
    _recorded_key_uses[token_hash] = time.monotonic()


def record_api_key_use(session: Session, token: str) -> None:
    """Note when a key was last used, at most once a minute, so API calls are not all
    writes: when this process knows the use was recorded less than a minute ago, it
    sends nothing. Meant for its own short transaction, apart from the request's."""
    token_hash = hash_token(token)
    seen = _recorded_key_uses.get(token_hash)
    if seen is not None and time.monotonic() - seen < KEY_USE_PRECISION.total_seconds():
        return
    now = utcnow()
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.token_hash == token_hash,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - KEY_USE_PRECISION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    _key_use_recorded(token_hash)


# --- rate limits ---------------------------------------------------------------------


def consume_rate_limit(
    sessions: sessionmaker[Session], key: str, limit: RateLimit, *, now: float | None = None
) -> None:
    """Take one token from the bucket ``key`` or raise ``RateLimited``.

    Runs in its own transaction, so an attempt counts even when the request that made
    it fails and rolls back (a wrong password must still use up the bucket). The check
    and the take are one conditional UPDATE, which is atomic for every process sharing
    the database.
    """
    moment = time.time() if now is None else now
    rate = 1.0 / limit.refill_seconds
    refilled = RateLimitBucket.tokens + (moment - RateLimitBucket.updated) * rate
    capped = case((refilled > limit.capacity, float(limit.capacity)), else_=refilled)
    with sessions() as session, session.begin():
        taken = session.execute(
            update(RateLimitBucket)
            .where(RateLimitBucket.key == key, capped >= 1.0)
            .values(tokens=capped - 1.0, updated=moment)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        created = session.execute(
            insert(RateLimitBucket)
            .values(key=key, tokens=float(limit.capacity) - 1.0, updated=moment)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(RateLimitBucket.key)
        )
        # RETURNING rather than rowcount: drivers disagree on rowcount for upserts.
        if created.first() is not None:
            return
    raise RateLimited("Too many attempts. Wait a minute and try again.")


def check_login_allowed(
    sessions: sessionmaker[Session], *, login: str, ip_address: str | None
) -> None:
    """Apply the login rate limits: per client address, and per address and login name
    together. Not per name alone: then anyone could lock a person out of their own
    account by typing wrong passwords for it from elsewhere."""
    source = ip_address or "unknown"
    if ip_address:
        consume_rate_limit(sessions, f"login:ip:{ip_address}", LOGIN_PER_IP)
    name = login.strip().lower().lstrip("@")[:150]
    if name:
        consume_rate_limit(sessions, f"login:name:{source}:{name}", LOGIN_PER_NAME)


def check_signup_allowed(sessions: sessionmaker[Session], *, ip_address: str | None) -> None:
    """Apply the sign-up rate limit per client address."""
    if ip_address:
        consume_rate_limit(sessions, f"signup:ip:{ip_address}", SIGNUP_PER_IP)
