"""`careroute create-admin`: the first administrator of a new installation, without the demo.

The password is asked twice on a terminal, or read from standard input (`--password-stdin`),
never from the command line where other users of the machine could read it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from core import db
from core.accounts import AccountError, create_admin


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="careroute create-admin", description="Create an administrator account."
    )
    parser.add_argument("--username", required=True)
    parser.add_argument("--full-name", default="")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    args = parser.parse_args(argv)
    try:
        password = _password(args.password_stdin)
        with db.session_scope() as session:
            user = create_admin(
                session, username=args.username, password=password, full_name=args.full_name
            )
            user_id = user.id
    except AccountError as exc:
        print(f"careroute create-admin: {exc}", file=sys.stderr)
        return 2
    print(f"administrator '{args.username}' created (id {user_id}); log in on the start page")
    return 0
