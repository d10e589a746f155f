#!/usr/bin/env python3
"""The project's two commands: serve a demo Odoo, and run every test.

    python3 scripts/dev.py run    # database with the three addons + demo, on :8069
    python3 scripts/dev.py test   # requirements, linters, engine tests, Odoo tests

Both find Odoo the same way (:func:`find_odoo`): ``import odoo`` in the very
``python3`` that runs this file, version 18.0. Its standard addons are found
next to the package: ``odoo/addons`` (a pip or packaged install keeps every
addon there) and, for a source checkout installed with ``pip install -e``,
the ``addons`` folder beside the ``odoo`` package. No environment variable is
read; PostgreSQL is reached the way libpq reaches it by default (local socket,
current user) unless ``--db-host``/``--db-port``/``--db-user`` say otherwise.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_ADDONS = ROOT / "addons"
MODULES = (
    "collections_automation",
    "collections_ai_agent",
    "collections_contact_center",
)
#: Languages of the demo customers, loaded with their translations by ``run``.
DEMO_LANGUAGES = ("es_ES", "es_MX", "es_CO", "pt_BR")
INSTALL_HINT = (
    "Odoo 18.0 was not found in {python}: install it the usual way, e.g. "
    "`git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo && "
    "{python} -m pip install -r odoo/requirements.txt && "
    "{python} -m pip install -e odoo` "
    "(see https://www.odoo.com/documentation/18.0/administration/on_premise/source.html)."
)


class OdooMissing(Exception):
    """Odoo 18 cannot be imported by this interpreter."""


def find_odoo():
    """Return the addons path for Odoo 18 in this interpreter, ours first.

    :raises OdooMissing: with a one-line reason when Odoo 18 is not importable
    """
    try:
        import odoo.release  # noqa: PLC0415 (optional at import time by design)
    except ImportError as error:
        raise OdooMissing(
            INSTALL_HINT.format(python=sys.executable) + f" ({error})"
        ) from error
    if odoo.release.version_info[0] != 18:
        raise OdooMissing(
            f"Odoo {odoo.release.version} found, 18.0 is needed. "
            + INSTALL_HINT.format(python=sys.executable)
        )
    # odoo.release rather than odoo: an OCA addon installed from PyPI (into
    # site-packages/odoo/addons) can make ``odoo`` a namespace without a file
    package = Path(odoo.release.__file__).resolve().parent
    import odoo.addons  # noqa: PLC0415

    paths = [OUR_ADDONS]
    candidates = [package / "addons", package.parent / "addons"]
    candidates += [Path(p).resolve() for p in odoo.addons.__path__]
    for candidate in candidates:
        if candidate in paths or not candidate.is_dir():
            continue
        if any((child / "__manifest__.py").is_file() for child in candidate.iterdir()):
            paths.append(candidate)
    return ",".join(str(p) for p in paths)


def db_args(options):
    """Odoo command-line options for the PostgreSQL connection."""
    args = []
    for flag in ("db_host", "db_port", "db_user", "db_password"):
        value = getattr(options, flag)
        if value:
            args.append(f"--{flag}={value}")  # Odoo spells them --db_host
    return args


def pg_connect(options, dbname="postgres"):
    """A psycopg2 connection to the server Odoo will use (autocommit)."""
    import psycopg2  # noqa: PLC0415 (installed with Odoo)

    kwargs = {"dbname": dbname, "connect_timeout": 5}
    for key in ("host", "port", "user", "password"):
        value = getattr(options, f"db_{key}")
        if value:
            kwargs[key] = value
    connection = psycopg2.connect(**kwargs)
    connection.autocommit = True
    return connection


def database_exists(options, name):
    with pg_connect(options) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return bool(cursor.fetchone())


def missing_modules(options, name):
    """Our modules not yet installed in database ``name``."""
    connection = pg_connect(options, name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM ir_module_module "
                "WHERE name = ANY(%s) AND state = 'installed'",
                (list(MODULES),),
            )
            installed = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    return [module for module in MODULES if module not in installed]


def drop_database(options, name):
    from psycopg2 import sql  # noqa: PLC0415

    connection = pg_connect(options)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
    finally:
        connection.close()
    shutil.rmtree(filestore(name), ignore_errors=True)


def copy_database(options, template, name):
    """Clone ``template`` (database and filestore) into ``name``."""
    from psycopg2 import sql  # noqa: PLC0415

    drop_database(options, name)
    connection = pg_connect(options)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    finally:
        connection.close()
    if filestore(template).is_dir():
        shutil.copytree(filestore(template), filestore(name))


def filestore(name):
    """Odoo's default filestore folder of database ``name``."""
    import odoo.tools  # noqa: PLC0415

    return Path(odoo.tools.config.filestore(name))


def odoo_command(addons_path, options, *args):
    return [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={addons_path}",
        *db_args(options),
        *args,
    ]


def dependencies_of(modules):
    """Odoo modules our addons need, outside this repository."""
    import ast  # noqa: PLC0415

    ours, seen, todo = set(modules), set(), list(modules)
    while todo:
        manifest = OUR_ADDONS / todo.pop() / "__manifest__.py"
        for dependency in ast.literal_eval(manifest.read_text())["depends"]:
            if dependency in seen:
                continue
            seen.add(dependency)
            if (OUR_ADDONS / dependency).is_dir():
                ours.add(dependency)
                todo.append(dependency)
    return sorted(seen - ours)


def ensure_base_database(addons_path, options, log):
    """A database holding only Odoo's own modules that ours depend on.

    It is cached under a name derived from the Odoo version and the list of
    modules, so a second test run clones it in seconds instead of installing
    Accounting again. It never holds anything of this repository.
    """
    import odoo.release  # noqa: PLC0415

    dependencies = dependencies_of(MODULES)
    key = hashlib.sha1(
        f"{odoo.release.serie}|{','.join(dependencies)}".encode()
    ).hexdigest()[:10]
    name = f"collections_base_{key}"
    if database_exists(options, name):
        return name
    log(f"Creating the cached base database {name} ({', '.join(dependencies)})...")
    result = subprocess.run(
        odoo_command(
            addons_path,
            options,
            f"--database={name}",
            f"--init={','.join(dependencies)}",
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
        ),
        check=False,
    )
    if result.returncode:
        drop_database(options, name)
        raise SystemExit(f"Could not create the base database {name}.")
    return name


# --------------------------------------------------------------------------- run


def command_run(options):
    """Create or reuse the demo database and serve it."""
    try:
        addons_path = find_odoo()
    except OdooMissing as error:
        raise SystemExit(str(error)) from error
    name = options.database
    if not database_exists(options, name):
        base = ensure_base_database(addons_path, options, print)
        copy_database(options, base, name)
    missing = missing_modules(options, name)
    install = (
        ["--init=" + ",".join(missing), "--load-language=" + ",".join(DEMO_LANGUAGES)]
        if missing
        else []
    )
    print(
        f"Collections demo: http://localhost:{options.port}/odoo  (login admin / admin,"
        f" database {name})",
        flush=True,
    )
    args = odoo_command(
        addons_path,
        options,
        f"--database={name}",
        f"--db-filter=^{name}$",
        f"--http-port={options.port}",
        *install,
    )
    os.execv(args[0], args)


# -------------------------------------------------------------------------- test


def run_step(title, args, results, cwd=ROOT):
    print(f"\n=== {title}", flush=True)
    code = subprocess.run(args, cwd=cwd, check=False).returncode
    results.append((title, code))
    return code


def odoo_tests_unavailable(options):
    """Why the Odoo tests cannot run here, or None when they can."""
    try:
        find_odoo()
    except OdooMissing as error:
        return str(error)
    try:
        pg_connect(options).close()
    except Exception as error:  # noqa: BLE001 (any connection failure is the reason)
        return f"PostgreSQL does not answer ({str(error).strip().splitlines()[0]})"
    return None


def command_test(options):
    """Install requirements, lint, run the engine tests, then the Odoo tests."""
    results = []
    python = sys.executable
    if not options.no_install:
        run_step(
            "Installing pinned requirements",
            [
                python,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(ROOT / "requirements-dev.txt"),
            ],
            results,
        )
    run_step(
        "Linters (pre-commit: ruff, pylint-odoo)",
        [python, "-m", "pre_commit", "run", "--all-files", "--show-diff-on-failure"],
        results,
    )
    run_step(
        "Tests without Odoo",
        [
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:odoo",
            "-q",
            "tests",
        ],
        results,
    )
    reason = odoo_tests_unavailable(options)
    if reason:
        print(f"\nOdoo tests skipped: {reason}", flush=True)
    else:
        if not options.no_install:
            run_step(
                "Installing the OCA addons the suite depends on",
                [
                    python,
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    "-r",
                    str(ROOT / "requirements-odoo.txt"),
                ],
                results,
            )
        addons_path = find_odoo()
        base = ensure_base_database(addons_path, options, print)
        name = options.database
        copy_database(options, base, name)
        code = run_step(
            "Installing the addons with demo data",
            odoo_command(
                addons_path,
                options,
                f"--database={name}",
                f"--init={','.join(MODULES)}",
                "--stop-after-init",
                "--log-level=warn",
                "--max-cron-threads=0",
            ),
            results,
        )
        if not code:
            test_dirs = [
                str(OUR_ADDONS / m / "tests")
                for m in MODULES
                if (OUR_ADDONS / m / "tests").is_dir()
            ]
            run_step(
                "Odoo tests (pytest-odoo)",
                [
                    python,
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    f"--odoo-database={name}",
                    f"--odoo-addons-path={addons_path}",
                    "--odoo-http",
                    "--odoo-log-level=warn",
                    *test_dirs,
                    *db_pytest_args(options),
                ],
                results,
            )
        if not options.keep_db:
            drop_database(options, name)
    print("\n=== Summary")
    for title, code in results:
        print(f"{'ok  ' if code == 0 else 'FAIL'}  {title}")
    return 1 if any(code for _title, code in results) else 0


def db_pytest_args(options):
    return [f"--odoo-extra={arg.lstrip('-')}" for arg in db_args(options)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve Odoo with the addons and demo data")
    run.add_argument("--database", default="collections_demo")
    run.add_argument("--port", type=int, default=8069)
    test = commands.add_parser("test", help="lint and run every test")
    test.add_argument("--database", default="collections_test")
    test.add_argument(
        "--no-install",
        action="store_true",
        help="do not install the pinned requirements first",
    )
    test.add_argument(
        "--keep-db", action="store_true", help="keep the test database afterwards"
    )
    options = parser.parse_args(argv)
    if options.command == "run":
        return command_run(options)
    return command_test(options)


if __name__ == "__main__":
    sys.exit(main())
