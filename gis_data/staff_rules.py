"""What a staff account may look like: usernames, roles, organisations and passwords.

Staff work for one of the four Infopoints of the province (Cremona, Crema,
Casalmaggiore, Soncino) or for a Pro Loco, named ``"Pro Loco <comune>"``.
Every check returns the value in its canonical form or raises
:class:`~gis_data.errors.InvalidAccountError` naming the bad value and the field.
"""

from __future__ import annotations

import re

from gis_data.errors import InvalidAccountError

#: The roles, least powerful first: editors curate content, admins also manage accounts.
ROLES = ("editor", "admin")
#: The Infopoints whose staff may have accounts.
INFOPOINTS = ("Infopoint Cremona", "Infopoint Crema", "Infopoint Casalmaggiore", "Infopoint Soncino")
PRO_LOCO = "Pro Loco"
MAX_ORGANISATION_LENGTH = 120
MIN_PASSWORD_LENGTH = 12
#: Longer passwords are refused before hashing (a pass phrase is well under this).
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
#: A comune's name: letters (accented too), spaces, apostrophes, dots and hyphens.
COMUNE_PATTERN = re.compile(r"[^\W\d_](?:[^\W\d_]|['. -])*")


def check_username(text: str) -> str:
    """Return a username in canonical (lower-case) form.

    Raises
    ------
    InvalidAccountError
        Unless it is 3 to 64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or digit.

    Examples
    --------
    >>> check_username(" Anna.Rossi ")
    'anna.rossi'
    >>> check_username("a b")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidAccountError: Username 'a b' is not 3 to 64 letters, digits, '.', '_' or '-'
    """
    name = text.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        msg = f"Username {text.strip()!r} is not 3 to 64 letters, digits, '.', '_' or '-'"
        raise InvalidAccountError(msg, "username")
    return name


def check_role(text: str) -> str:
    """Return a role, one of :data:`ROLES`.

    Examples
    --------
    >>> check_role("Admin")
    'admin'
    >>> check_role("root")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidAccountError: Role 'root' is not one of 'editor', 'admin'
    """
    role = text.strip().lower()
    if role not in ROLES:
        msg = f"Role {text.strip()!r} is not one of {', '.join(map(repr, ROLES))}"
        raise InvalidAccountError(msg, "role")
    return role


def check_organisation(text: str) -> str:
    """Return an organisation in canonical form: an Infopoint, or ``"Pro Loco <comune>"``.

    Examples
    --------
    >>> check_organisation("infopoint  crema")
    'Infopoint Crema'
    >>> check_organisation("pro loco Sesto ed Uniti")
    'Pro Loco Sesto ed Uniti'
    >>> check_organisation("Pro Loco ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidAccountError: Organisation 'Pro Loco' is not an Infopoint (...) or 'Pro Loco <comune>'
    """
    words = " ".join(text.split())
    for infopoint in INFOPOINTS:
        if words.casefold() == infopoint.casefold():
            return infopoint
    prefix = PRO_LOCO.casefold() + " "
    if words.casefold().startswith(prefix) and len(words) <= MAX_ORGANISATION_LENGTH:
        comune = words[len(prefix) :]
        if COMUNE_PATTERN.fullmatch(comune):
            return f"{PRO_LOCO} {comune}"
    places = ", ".join(name.removeprefix("Infopoint ") for name in INFOPOINTS)
    shown = words if len(words) <= MAX_ORGANISATION_LENGTH else words[:MAX_ORGANISATION_LENGTH] + "…"
    msg = f"Organisation {shown!r} is not an Infopoint ({places}) or 'Pro Loco <comune>'"
    raise InvalidAccountError(msg, "organisation")


def check_password(password: str, *, username: str) -> str:
    """Return a password that is long enough and not the username.

    The message never repeats the password.

    Examples
    --------
    >>> len(check_password("correct horse battery", username="anna"))
    21
    >>> check_password("short", username="anna")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidAccountError: The password has 5 characters: it needs 12 to 256
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        msg = f"The password has {len(password)} characters: it needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH}"
        raise InvalidAccountError(msg, "password")
    if username.casefold() in password.casefold():
        msg = f"The password may not contain the username {username!r}"
        raise InvalidAccountError(msg, "password")
    return password
