"""What the command-line tools share to talk to Odoo over JSON-RPC (odoorpc).

::

    parser = argparse.ArgumentParser()
    odoo_rpc.add_connection_arguments(parser)   # --url --db --user --password
    args = parser.parse_args(argv)
    odoo = odoo_rpc.connect(args)               # a logged-in odoorpc.ODOO

    if __name__ == "__main__":
        sys.exit(odoo_rpc.run(main))

odoorpc reports a stopped server, a wrong port or a wrong password as a
``URLError``, an ``HTTPError``, a ``JSONDecodeError`` or a bare ``KeyError``
with a traceback. :func:`connect` turns each into a :class:`ConnectionProblem`
of one sentence saying what to fix, and :func:`run` prints it as
``error: ...`` with exit code 2. The password is read from ``--password`` or,
so that it stays out of shell history and process lists, from the
environment variable ``ODOO_PASSWORD``; it is never printed.
"""

import http.client
import json
import os
import socket
import ssl
import sys
import urllib.error
import urllib.parse

try:
    import odoorpc
    import odoorpc.error
except ImportError:  # the offline tools run without it
    odoorpc = None

DEFAULT_URL = "http://localhost:8069"
DEFAULT_DB = "collections_demo"
DEFAULT_USER = "admin"
PASSWORD_ENV = "ODOO_PASSWORD"
DEFAULT_TIMEOUT = 300.0
#: Exit code of a tool that could not do its job because of Odoo or the network.
EXIT_PROBLEM = 2


RPC_ERRORS = (odoorpc.error.RPCError,) if odoorpc else ()
CLIENT_ERRORS = (odoorpc.error.Error,) if odoorpc else ()


class ConnectionProblem(Exception):
    """Why a tool cannot talk to Odoo, in one sentence for a person."""


def add_connection_arguments(parser):
    """``--url``, ``--db``, ``--user``, ``--password`` and ``--timeout``."""
    group = parser.add_argument_group("Odoo connection")
    group.add_argument(
        "--url",
        default=DEFAULT_URL,
        help="Odoo's address, scheme://host[:port] (default: %(default)s)",
    )
    group.add_argument(
        "--db", default=DEFAULT_DB, help="database name (default: %(default)s)"
    )
    group.add_argument(
        "--user", default=DEFAULT_USER, help="login (default: %(default)s)"
    )
    # default None, resolved in connect(): argparse would otherwise show the
    # environment's password in --help
    group.add_argument(
        "--password",
        help=f"password (default: ${PASSWORD_ENV}, else admin); prefer "
        f"{PASSWORD_ENV} to keep it out of the shell history",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds to wait for each answer (default: %(default)g)",
    )
    return group


def password_of(args):
    """``--password``, else ``$ODOO_PASSWORD``, else ``admin``."""
    if args.password is not None:
        return args.password
    return os.environ.get(PASSWORD_ENV) or "admin"


def parse_url(url):
    """``(protocol, host, port, shown)`` for odoorpc; ``shown`` is the URL
    as messages print it (no credentials, explicit port).

    :raises ConnectionProblem: when ``url`` is not ``http(s)://host[:port]``
    """
    wanted = f"write it as http://host:port, e.g. {DEFAULT_URL}"
    parts = urllib.parse.urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        raise ConnectionProblem(f"{url!r} has an invalid port: {wanted}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectionProblem(f"{url!r} is not an Odoo URL: {wanted}.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConnectionProblem(f"{url!r} has a path: give Odoo's root only, {wanted}.")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    host = parts.hostname
    if ":" in host:  # IPv6 literal: odoorpc pastes host and port together
        host = f"[{host}]"
    protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
    return protocol, host, port, f"{parts.scheme}://{host}:{port}"


def connect(args):
    """A logged-in ``odoorpc.ODOO`` for ``args`` (see
    :func:`add_connection_arguments`).

    :raises ConnectionProblem: malformed URL, server unreachable or too slow,
        not an Odoo server, missing database, wrong login or password
    """
    protocol, host, port, shown = parse_url(args.url)
    if odoorpc is None:
        raise ConnectionProblem(
            "odoorpc is not installed: python3 -m pip install odoorpc==0.10.1 "
            "(pinned in requirements-dev.txt)."
        )
    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    password = password_of(args)
    try:
        odoo = odoorpc.ODOO(host, protocol=protocol, port=port, timeout=timeout)
        if not odoo.version:
            raise ConnectionProblem(
                f"{shown} is not an Odoo server: it does not tell its version."
            )
        login(odoo, args, password, shown, listed_databases(odoo))
    except ConnectionProblem:
        raise
    except Exception as error:  # noqa: BLE001 (every failure becomes one sentence)
        raise ConnectionProblem(
            hide(network_problem(error, shown, timeout), password)
        ) from None
    return odoo


def listed_databases(odoo):
    """The server's databases, or None when it does not list them
    (``list_db = False``)."""
    try:
        return odoo.db.list()
    except odoorpc.error.RPCError:
        return None


def missing_database(database, shown, databases=None):
    if databases is None:
        return f"Database {database!r} does not exist on {shown}."
    if not databases:
        return f"Database {database!r} does not exist on {shown}, which has none."
    return (
        f"Database {database!r} does not exist on {shown}; available: "
        f"{', '.join(sorted(databases))}."
    )


def login(odoo, args, password, shown, databases=None):
    """Log in; a listed database list names the alternatives when ``args.db``
    is missing. The login is tried even when the list lacks ``args.db``: a
    server started with ``-d`` lists that database only, yet serves others."""
    try:
        odoo.login(args.db, args.user, password)
    except odoorpc.error.RPCError as error:
        message = str(error)
        if message == "Wrong login ID or password":  # odoorpc's: uid False
            raise ConnectionProblem(
                f"Wrong login or password for user {args.user!r} on database "
                f"{args.db!r} at {shown}."
            ) from None
        if "does not exist" in message and args.db in message:
            raise ConnectionProblem(
                missing_database(args.db, shown, databases)
            ) from None
        raise ConnectionProblem(
            hide(f"Odoo at {shown} refused the login: {first_line(message)}", password)
        ) from None


def network_problem(error, shown, timeout):
    """One sentence for what odoorpc and urllib raise on the way to Odoo."""
    if isinstance(error, urllib.error.HTTPError):
        if error.code == 404:
            return (
                f"{shown} is not an Odoo server: it answered HTTP 404 (not found) "
                "to Odoo's JSON-RPC."
            )
        return f"{shown} answered HTTP {error.code} ({error.reason}): is it Odoo?"
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"Odoo at {shown} did not answer within {timeout:g} seconds (--timeout)."
    if isinstance(reason, ConnectionRefusedError):
        return f"Cannot reach Odoo at {shown}: connection refused. Is it running?"
    if isinstance(reason, socket.gaierror):
        return f"Cannot reach Odoo at {shown}: unknown host name. Is the URL right?"
    if isinstance(reason, ssl.SSLError):
        return (
            f"Cannot talk TLS to {shown} ({reason.reason or reason}): "
            "is it http rather than https?"
        )
    if isinstance(reason, ConnectionResetError | http.client.HTTPException):
        return (
            f"{shown} closed the connection without an HTTP answer: is it Odoo, "
            "and is the scheme (http or https) right?"
        )
    if isinstance(reason, OSError) and reason.strerror:
        return (
            f"Cannot reach Odoo at {shown}: {reason.strerror.lower()}. Is it running?"
        )
    if isinstance(error, json.JSONDecodeError | KeyError | TypeError | ValueError):
        return f"{shown} is not an Odoo server: its answer is not Odoo's JSON-RPC."
    if isinstance(error, CLIENT_ERRORS):
        return f"Odoo at {shown}: {first_line(str(error))}"
    detail = first_line(str(error)) or type(error).__name__
    return f"Cannot talk to Odoo at {shown}: {detail}"


def describe_rpc_error(error):
    """An Odoo error answered over RPC, without the server's traceback."""
    message = first_line(str(error)) or "the server failed without a message"
    info = error.info if isinstance(getattr(error, "info", None), dict) else {}
    name = (info.get("data") or {}).get("name") or ""
    if not name or name.startswith("odoo.exceptions."):
        return message  # UserError, AccessError...: written for people
    return f"Odoo failed ({name.rsplit('.', 1)[-1]}): {message}"


def first_line(text):
    return (text or "").strip().split("\n", 1)[0].strip()


def hide(text, password):
    """``text`` without the password, should a server ever echo it."""
    if password and len(password) >= 3:
        return text.replace(password, "********")
    return text


def run(main_fn, argv=None, err=None):
    """Call ``main_fn(argv)`` and return its exit code; Odoo and network
    problems print ``error: <one line>`` on stderr and return 2."""
    err = err or sys.stderr
    try:
        return main_fn(argv) or 0
    except ConnectionProblem as problem:
        message = str(problem)
    except RPC_ERRORS as error:
        message = describe_rpc_error(error)
    except CLIENT_ERRORS as error:  # e.g. a model the database lacks
        message = first_line(str(error))
    except (
        urllib.error.URLError,
        ConnectionError,
        TimeoutError,
        http.client.HTTPException,
    ) as error:
        message = f"lost the connection to Odoo: {first_line(str(error))}"
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    err.write(f"error: {message}\n")
    err.flush()
    return EXIT_PROBLEM
