#!/usr/bin/env python3
"""The project's two commands: serve a demo Odoo, and run every test.

    python3 scripts/dev.py run    # database with the three addons + demo, on :8069
    python3 scripts/dev.py test   # requirements, linters, engine tests, Odoo tests

``run`` serves the demo the way production runs (:func:`odoo_server`:
queue_job loaded server-wide, its job runner sending what the dispatcher
queues), beside local stand-ins for what a demo cannot reach
(``scripts/demo_services.py``: a mail catcher as Odoo's SMTP server, the
loopback gateway of the generic provider protocol for SMS, WhatsApp and
calls), with Odoo's Demo payment provider, and prints its address once the
web client's assets are built.

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
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_ADDONS = ROOT / "addons"
#: Tests of scripts/ that need a running Odoo: run with the Odoo tests.
ODOO_SCRIPT_TESTS = ROOT / "tests" / "with_odoo"
MODULES = (
    "collections_automation",
    "collections_ai_agent",
    "collections_contact_center",
)
#: Languages of the demo customers, loaded with their translations by ``run``.
DEMO_LANGUAGES = ("es_ES", "es_MX", "es_CO", "pt_BR")
#: Odoo's modules ``run`` adds to ours: the Demo payment provider, so that
#: "Pay Now" on a payment link pays.
DEMO_EXTRA_MODULES = ("payment_demo",)
#: Odoo's modules ``test`` adds to ours: the Demo payment provider, through
#: which the tests pay the suite's payment links as a customer does
#: (addons/collections_automation/tests/test_payment_links.py).
TEST_EXTRA_MODULES = ("payment_demo",)
#: Optional bridges, each installing itself beside an Odoo app
#: (``collections_sale`` with Sales, ``collections_snailmail`` with Snail
#: Mail): ``test`` installs them, with those apps, and runs their tests.
BRIDGES = ("collections_sale", "collections_snailmail")
#: Loaded server-wide by every server this repository starts: queue_job's job
#: runner starts only when queue_job is (production: ``server_wide_modules``).
SERVER_WIDE_MODULES = "base,web,queue_job"
#: The job runner's channels in the demo (``ODOO_QUEUE_JOB_CHANNELS``, or
#: ``channels`` in the ``[queue_job]`` section of the configuration file).
DEMO_CHANNELS = "root:4,root.collections:4"
#: The demo provider record that ``run`` points at its loopback gateway
#: (addons/collections_automation/demo/collection_demo_providers.xml).
DEMO_PROVIDER = ("collections_automation", "demo_provider_loopback")
#: The scheduled actions ``run`` triggers once at start, in this order, so
#: that the day's reminders are planned now rather than at 04:00.
DEMO_START_CRONS = (
    "ir_cron_collection_refresh",
    "ir_cron_collection_plan",
    "ir_cron_collection_dispatch",
)
#: Odoo's prefork master starts its websocket (gevent) process by running its
#: own script again, which ``python -m odoo`` cannot be: a launcher can.
LAUNCHER = "import odoo.cli\n\nodoo.cli.main()\n"
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


def missing_modules(options, name, modules=MODULES):
    """Modules (ours by default) not yet installed in database ``name``."""
    connection = pg_connect(options, name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM ir_module_module "
                "WHERE name = ANY(%s) AND state = 'installed'",
                (list(modules),),
            )
            installed = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    return [module for module in modules if module not in installed]


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


def odoo_server(
    addons_path, options, *, database, port, channels, workers=0, extra=(), env=None
):
    """Command line and environment of an Odoo server with queue_job's runner.

    The one place this repository starts a serving Odoo (``dev.py run``, the
    load test): queue_job loaded server-wide (:data:`SERVER_WIDE_MODULES`),
    so the job runner starts with the server (a thread of a threaded server,
    a process of a prefork one), with ``channels`` as its capacity
    (``ODOO_QUEUE_JOB_CHANNELS``), serving ``database`` alone on ``port``.

    :param workers: 0 for a threaded server, else prefork HTTP workers
    :param extra: more Odoo options
    :param env: more environment variables
    :returns: ``(args, env)`` for :class:`subprocess.Popen`
    """
    args = odoo_command(
        addons_path,
        options,
        f"--database={database}",
        f"--db-filter=^{database}$",
        f"--http-port={port}",
        f"--workers={workers}",
        f"--load={SERVER_WIDE_MODULES}",
        *extra,
    )
    if workers:
        launcher = Path(tempfile.gettempdir()) / "collections_odoo_launcher.py"
        if not launcher.is_file() or launcher.read_text() != LAUNCHER:
            partial = launcher.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(LAUNCHER)
            partial.replace(launcher)
        args = [sys.executable, str(launcher), *args[3:]]
    environment = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=channels, **(env or {}))
    return args, environment


def start_odoo_server(*args, **kwargs):
    """:func:`odoo_server` started in a session of its own (so that one
    ``killpg`` stops the master, its workers and the job runner)."""
    command, environment = odoo_server(*args, **kwargs)
    return subprocess.Popen(command, env=environment, start_new_session=True)  # noqa: S603


def stop_odoo_server(process, grace=20):
    """SIGTERM the server's process group, SIGKILL it after ``grace`` s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


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


class JsonRpc:
    """A web client's session over JSON-RPC (urllib only: ``run`` needs no
    package beyond Odoo's)."""

    def __init__(self, url, timeout=600):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.url + path, timeout=self.timeout) as response:
            return response.read()

    def call(self, path, params):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": params}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            error = answer["error"]
            raise RuntimeError(error.get("data", {}).get("message") or error["message"])
        return answer["result"]

    def execute(self, model, method, *args, **kwargs):
        return self.call(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def wait_http(url, process, seconds=300):
    """Wait until ``url`` answers (any HTTP status), or the server died."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Odoo stopped (exit code {process.returncode}).")
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{url} did not answer within {seconds} s.")


ASSET_URL = re.compile(rb'(?:src|href)="(/web/assets/[^"]+)"')


def build_assets(rpc, paths):
    """Request ``paths`` and every asset bundle they link to, so that Odoo
    builds the bundles now rather than on the first visitor's request."""
    seen = set()
    for path in paths:
        for asset in ASSET_URL.findall(rpc.get(path)):
            if asset not in seen:
                seen.add(asset)
                rpc.get(asset.decode())
    return len(seen)


def demo_provider_id(options, name):
    connection = pg_connect(options, name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
                DEMO_PROVIDER,
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return row[0] if row else None


def prepare_demo_database(addons_path, options):
    """Create the demo database, or install what it lacks, then stop.

    A database made before the demo provider existed gets the addon's demo
    data again (``--update``: new records only, ``noupdate`` ones are kept).
    """
    name = options.database
    if not database_exists(options, name):
        base = ensure_base_database(addons_path, options, print)
        copy_database(options, base, name)
    missing = missing_modules(options, name, MODULES + DEMO_EXTRA_MODULES)
    install = []
    if missing:
        install = [
            "--init=" + ",".join(missing),
            "--load-language=" + ",".join(DEMO_LANGUAGES),
        ]
    elif demo_provider_id(options, name) is None:
        install = ["--update=collections_automation"]
    if install:
        print(f"Preparing the demo database {name}...", flush=True)
        result = subprocess.run(
            odoo_command(
                addons_path,
                options,
                f"--database={name}",
                *install,
                "--stop-after-init",
                "--log-level=warn",
                "--max-cron-threads=0",
            ),
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"Could not prepare the demo database {name}.")


def point_provider_at(options, name, url, secret):
    """Activate the demo provider on the gateway just started (Odoo is not
    running yet: nothing caches the record)."""
    provider_id = demo_provider_id(options, name)
    if provider_id is None:
        return False
    connection = pg_connect(options, name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE collection_provider SET active = TRUE, generic_url = %s, "
                "generic_secret = %s, next_slot_at = NULL, "
                "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                (url, secret, provider_id),
            )
    finally:
        connection.close()
    return True


def start_demo_cycle(rpc):
    """Run the refresh, the planning and a dispatch once, as "Run Manually"
    does; the dispatch then runs every minute by itself."""
    for xmlid in DEMO_START_CRONS:
        [cron] = rpc.execute(
            "ir.model.data",
            "search_read",
            [("module", "=", "collections_automation"), ("name", "=", xmlid)],
            ["res_id"],
        )
        rpc.execute("ir.cron", "method_direct_trigger", [cron["res_id"]])


def demo_counts(rpc, patience=30):
    """The outbox by state, once the job runner took what the dispatch queued
    (or after ``patience`` seconds)."""
    deadline = time.time() + patience
    while time.time() < deadline and rpc.execute(
        "collection.message", "search_count", [("state", "in", ["queued", "sending"])]
    ):
        time.sleep(1)
    groups = rpc.execute(
        "collection.message", "read_group", [], ["state"], ["state"], lazy=False
    )
    return ", ".join(f"{g['__count']} {g['state']}" for g in groups) or "empty"


def command_run(options):
    """Serve the demo database with the job runner and the local stand-ins."""
    try:
        addons_path = find_odoo()
    except OdooMissing as error:
        raise SystemExit(str(error)) from error
    sys.path.insert(0, str(ROOT / "scripts"))
    import demo_services  # noqa: PLC0415 (the stand-ins, only for ``run``)

    name, port = options.database, options.port
    prepare_demo_database(addons_path, options)
    secret = secrets.token_hex(16)
    log_dir = demo_services.default_log_dir(name)
    services = demo_services.DemoServices(
        secret,
        webhook_url=f"http://127.0.0.1:{port}/collections/webhook/generic",
        log_dir=log_dir,
        page_port=port + 1,
    ).start()
    has_provider = point_provider_at(options, name, services.gateway_url, secret)
    server = start_odoo_server(
        addons_path,
        options,
        database=name,
        port=port,
        channels=DEMO_CHANNELS,
        workers=options.workers,
        extra=["--smtp=127.0.0.1", f"--smtp-port={services.smtp_port}"],
    )
    signal.signal(signal.SIGTERM, _interrupt)
    interrupted = False
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/web/login", server)
        print("Building the web client's assets...", flush=True)
        started = time.time()
        rpc = JsonRpc(url)
        build_assets(rpc, ["/web/login"])
        rpc.call(
            "/web/session/authenticate",
            {"db": name, "login": "admin", "password": "admin"},
        )
        build_assets(rpc, ["/odoo", "/my"])
        print(f"Assets built in {time.time() - started:.0f} s.", flush=True)
        start_demo_cycle(rpc)
        print(
            f"""
Collections demo: http://localhost:{port}/odoo  (login admin / admin, database {name})
  The cycle runs by itself: queue_job's runner sends what the dispatcher queues
  (every minute); the planning ran now (then daily at 04:00).
  Outbox: {demo_counts(rpc)}.
  Messages sent: {services.page_url}  (also {services.log.path})
    email -> the mail catcher, Odoo's SMTP server here (127.0.0.1:{services.smtp_port})
    SMS, WhatsApp, calls -> the loopback gateway {services.gateway_url}"""
            + ("" if has_provider else " (no demo provider in this database)")
            + """, which
    posts a delivery receipt back to /collections/webhook/generic
  Pay Now on a payment link pays with Odoo's Demo payment provider.
  Ctrl-C stops Odoo and the stand-ins.
""",
            flush=True,
        )
        server.wait()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        stop_odoo_server(server)
        services.stop()
    return 0 if interrupted or not server.returncode else 1


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


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
            f"--ignore={ODOO_SCRIPT_TESTS}",
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
                f"--init={','.join(MODULES + TEST_EXTRA_MODULES + BRIDGES)}",
                "--stop-after-init",
                "--log-level=warn",
                "--max-cron-threads=0",
            ),
            results,
        )
        if not code:
            test_dirs = [
                str(OUR_ADDONS / m / "tests")
                for m in MODULES + BRIDGES
                if (OUR_ADDONS / m / "tests").is_dir()
            ] + [str(ODOO_SCRIPT_TESTS)]
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
    run.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Odoo HTTP worker processes (default 0: one threaded process)",
    )
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
