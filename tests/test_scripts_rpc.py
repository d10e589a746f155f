"""The RPC tools without Odoo: their options, and one clear line (exit code 2,
no traceback, never the password) for each way of failing to reach Odoo.

A tiny JSON-RPC server stands in for Odoo where its answers matter (missing
database, wrong password); the rest of the tools' logic runs against fakes."""

import datetime
import io
import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
# as the scripts import each other: one odoo_rpc module, one ConnectionProblem
sys.path.insert(0, str(SCRIPTS))

import agent_chat  # noqa: E402
import export_cases  # noqa: E402
import kpis  # noqa: E402
import odoo_rpc  # noqa: E402
import run_cycle  # noqa: E402
import seed_demo  # noqa: E402

PASSWORD = "s3cr3t-Pa55"
TOOLS = [seed_demo.main, run_cycle.main, agent_chat.main, kpis.main, export_cases.main]


# ------------------------------------------------------------------ servers


class Server:
    """A local HTTP server answering POSTs with ``answer(path, body)``:
    ``(status, content_type, bytes)``."""

    def __init__(self, answer):
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                owner.requests.append((self.path, body))
                status, content_type, data = answer(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def not_found(_path, _body):
    return 404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>"


def html_page(_path, _body):
    return 200, "text/html", b"<!DOCTYPE html><html><body>Welcome</body></html>"


def fake_odoo(databases=("collections_demo", "other"), list_db=True, unlisted=()):
    """Odoo's JSON-RPC as odoorpc uses it to log in; ``unlisted`` databases
    exist without being listed (a server started with ``-d``)."""

    def answer(path, body):
        params = body.get("params", {})
        if path == "/web/webclient/version_info":
            result = {"server_version": "18.0", "server_version_info": [18, 0]}
        elif (params.get("service"), params.get("method")) == ("db", "list"):
            if not list_db:
                return rpc_error(body, "odoo.exceptions.AccessDenied", "Access Denied")
            result = list(databases)
        elif (params.get("service"), params.get("method")) == ("common", "login"):
            db = params["args"][0]
            if db not in databases + unlisted:
                return rpc_error(
                    body,
                    "psycopg2.OperationalError",
                    f'connection to server failed: FATAL:  database "{db}" '
                    "does not exist\n",
                )
            result = 2 if params["args"][2] == "right" else False
        elif params.get("service") == "object":
            result = {"lang": "en_US", "tz": "UTC"}
        else:
            return rpc_error(body, "builtins.KeyError", "unexpected")
        payload = {"jsonrpc": "2.0", "id": body.get("id"), "result": result}
        return 200, "application/json", json.dumps(payload).encode()

    return answer


def rpc_error(body, name, message):
    payload = {
        "jsonrpc": "2.0",
        "id": body.get("id"),
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": name,
                "message": message,
                "debug": "Traceback (most recent call last):\n  ...",
            },
        },
    }
    return 200, "application/json", json.dumps(payload).encode()


def closed_port():
    """A port nothing listens on: bound, read, closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_tool(main, argv, capsys):
    code = odoo_rpc.run(main, argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_line(code, out, err, *expected):
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0]
    assert "Traceback" not in out + err
    assert PASSWORD not in out + err


# ------------------------------------------------------------------ options


def test_connection_options_default_and_environment(monkeypatch):
    monkeypatch.delenv(odoo_rpc.PASSWORD_ENV, raising=False)
    args = run_cycle.parse_args([])
    assert (args.url, args.db, args.user) == (
        "http://localhost:8069",
        "collections_demo",
        "admin",
    )
    assert odoo_rpc.password_of(args) == "admin"
    monkeypatch.setenv(odoo_rpc.PASSWORD_ENV, PASSWORD)
    assert odoo_rpc.password_of(run_cycle.parse_args([])) == PASSWORD
    explicit = run_cycle.parse_args(["--password", "other", "--db", "prod"])
    assert (odoo_rpc.password_of(explicit), explicit.db) == ("other", "prod")


def test_help_never_shows_the_environments_password(monkeypatch, capsys):
    monkeypatch.setenv(odoo_rpc.PASSWORD_ENV, PASSWORD)
    for main in TOOLS:
        with pytest.raises(SystemExit) as done:
            main(["--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "--password" in out and "ODOO_PASSWORD" in out
        assert PASSWORD not in out


def test_seed_options():
    args = seed_demo.parse_args([])
    assert (args.customers, args.invoices_per_customer, args.seed) == (50, 2, None)
    args = seed_demo.parse_args(
        ["--customers", "1000", "--invoices-per-customer", "3", "--seed", "7"]
    )
    assert (args.customers, args.invoices_per_customer, args.seed) == (1000, 3, 7)
    for wrong in (["--customers", "0"], ["--invoices-per-customer", "-1"]):
        with pytest.raises(SystemExit) as done:
            seed_demo.parse_args(wrong)
        assert done.value.code == 2


def test_cycle_steps_run_in_the_cycles_order(capsys):
    assert run_cycle.parse_args([]).steps == ["refresh", "plan", "dispatch", "settle"]
    picked = run_cycle.parse_args(["--steps", "settle, plan"])
    assert picked.steps == ["plan", "settle"]
    with pytest.raises(SystemExit) as done:
        run_cycle.parse_args(["--steps", "plan,send"])
    assert done.value.code == 2
    assert "unknown step(s) send" in capsys.readouterr().err


def test_kpi_options(capsys):
    args = kpis.parse_args(["--month", "2026-03", "--months", "3", "--by", "team"])
    assert (args.month, args.months, args.by) == (datetime.date(2026, 3, 1), 3, "team")
    assert kpis.first_month(args.month, args.months) == datetime.date(2026, 1, 1)
    assert kpis.first_month(datetime.date(2026, 2, 1), 14) == datetime.date(2025, 1, 1)
    for wrong in (["--month", "2026-13"], ["--months", "0"], ["--by", "planet"]):
        with pytest.raises(SystemExit) as done:
            kpis.parse_args(wrong)
        assert done.value.code == 2
    assert "is not a month" in capsys.readouterr().err


def test_kpi_table_formats_each_unit():
    rows = [
        {"month": "2026-03", "name": "Contact rate", "value": 66.666, "unit": "rate",
         "n": 3, "group": None},
        {"month": "2026-03", "name": "DSO", "value": 50.7272, "unit": "days",
         "n": 0, "group": None},
        {"month": "2026-03", "name": "Amount collected", "value": 1200.0,
         "unit": "amount", "n": 2, "group": None, "winner": False},
    ]  # fmt: skip
    out = io.StringIO()
    kpis.print_table(rows, kpis.parse_args([]), out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Month", "KPI", "Value", "n"]
    assert lines[1].endswith("66.7 %  3")
    assert "50.7 days" in lines[2] and "1,200.00" in lines[3]


def test_export_options_and_filters():
    args = export_cases.parse_args(["--team", "Disputes", "--stage", "dispute"])
    assert export_cases.domain_of(args) == [
        ("is_closed", "=", False),
        ("stage_code", "=", "dispute"),
        ("team_id.name", "=", "Disputes"),
    ]
    assert export_cases.domain_of(export_cases.parse_args(["--all"])) == []
    assert export_cases.cell([7, "Ana"]) == "Ana"
    assert export_cases.cell(False) == ""
    with pytest.raises(SystemExit):
        export_cases.parse_args(["--page", "0"])


def test_chat_online_needs_a_customer_and_no_llm_options(capsys):
    args = agent_chat.parse_args(["--customer", "42", "--db", "x"])
    assert (args.offline, args.customer, args.db) == (False, "42", "x")
    for argv, expected in (
        (["--url", "http://odoo"], "needs --customer"),
        (["--customer", "7", "--llm-url", "http://x/v1"], "--llm-url is for"),
    ):
        with pytest.raises(SystemExit) as done:
            agent_chat.parse_args(argv)
        assert done.value.code == 2
        assert expected in capsys.readouterr().err
    offline = agent_chat.parse_args(["--offline", "--lang", "en"])
    assert offline.offline and offline.understand is not None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8069", ("jsonrpc", "localhost", 8069)),
        ("https://odoo.example.com/", ("jsonrpc+ssl", "odoo.example.com", 443)),
        ("http://[::1]:8069", ("jsonrpc", "[::1]", 8069)),
        ("http://admin:pw@odoo:80", ("jsonrpc", "odoo", 80)),
    ],
)
def test_urls_odoorpc_understands(url, expected):
    protocol, host, port, shown = odoo_rpc.parse_url(url)
    assert (protocol, host, port) == expected
    assert "pw" not in shown


@pytest.mark.parametrize(
    "url",
    ["localhost:8069", "odoo", "ftp://odoo:21", "http://", "http://odoo:99999",
     "http://odoo:8069/web"],
)  # fmt: skip
def test_malformed_urls_are_refused_before_any_request(url):
    with pytest.raises(odoo_rpc.ConnectionProblem) as problem:
        odoo_rpc.parse_url(url)
    assert "http://host:port" in str(problem.value)


# ------------------------------------------------------------ clear errors


@pytest.mark.parametrize("main", TOOLS)
def test_malformed_url(main, capsys):
    argv = ["--url", "localhost:8069", "--password", PASSWORD, "--customer", "1"]
    if main is not agent_chat.main:
        argv = argv[:-2]
    assert_one_clear_line(
        *run_tool(main, argv, capsys), "'localhost:8069' is not an Odoo URL"
    )


@pytest.mark.parametrize("main", TOOLS)
def test_connection_refused(main, capsys):
    url = f"http://127.0.0.1:{closed_port()}"
    argv = ["--url", url, "--password", PASSWORD]
    if main is agent_chat.main:
        argv += ["--customer", "Ana"]
    assert_one_clear_line(
        *run_tool(main, argv, capsys),
        f"Cannot reach Odoo at {url}: connection refused. Is it running?",
    )


def test_a_server_that_is_not_odoo(capsys):
    with Server(not_found) as server:
        result = run_tool(seed_demo.main, ["--url", server.url], capsys)
    assert_one_clear_line(*result, f"{server.url} is not an Odoo server", "404")
    with Server(html_page) as server:
        result = run_tool(run_cycle.main, ["--url", server.url], capsys)
    assert_one_clear_line(*result, f"{server.url} is not an Odoo server")


def test_a_server_that_does_not_answer(capsys):
    with socket.socket() as sock:  # accepts the connection, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        result = run_tool(run_cycle.main, ["--url", url, "--timeout", "0.3"], capsys)
    assert_one_clear_line(*result, "did not answer within 0.3 seconds")


def test_missing_database_lists_the_available_ones(capsys):
    with Server(fake_odoo()) as server:
        result = run_tool(
            run_cycle.main,
            ["--url", server.url, "--db", "prod", "--password", PASSWORD],
            capsys,
        )
    assert_one_clear_line(
        *result,
        f"Database 'prod' does not exist on {server.url}; "
        "available: collections_demo, other.",
    )
    methods = [body["params"].get("method") for _, body in server.requests]
    assert methods == [None, "list", "login"], "the login is tried all the same"


def test_an_unlisted_database_is_still_tried():
    with Server(fake_odoo(unlisted=("hidden",))) as server:
        args = run_cycle.parse_args(
            ["--url", server.url, "--db", "hidden", "--password", "right"]
        )
        assert odoo_rpc.connect(args).env.db == "hidden"


def test_missing_database_when_the_server_does_not_list_them(capsys):
    with Server(fake_odoo(list_db=False)) as server:
        result = run_tool(
            seed_demo.main,
            ["--url", server.url, "--db", "prod", "--password", PASSWORD],
            capsys,
        )
    assert_one_clear_line(*result, f"Database 'prod' does not exist on {server.url}.")


def test_wrong_password(capsys, monkeypatch):
    monkeypatch.setenv(odoo_rpc.PASSWORD_ENV, PASSWORD)
    with Server(fake_odoo()) as server:
        result = run_tool(run_cycle.main, ["--url", server.url], capsys)
        logins = [
            body["params"]["args"]
            for _, body in server.requests
            if body["params"].get("method") == "login"
        ]
    assert logins == [["collections_demo", "admin", PASSWORD]]
    assert_one_clear_line(
        *result,
        "Wrong login or password for user 'admin' on database 'collections_demo'",
    )


def test_right_password_logs_in():
    with Server(fake_odoo()) as server:
        args = run_cycle.parse_args(["--url", server.url, "--password", "right"])
        odoo = odoo_rpc.connect(args)
    assert (odoo.env.uid, odoo.env.db, odoo.version) == (2, "collections_demo", "18.0")


def test_rpc_errors_print_odoos_message_not_its_traceback(capsys):
    import odoorpc.error  # noqa: PLC0415

    def refuses(_argv):
        info = {"data": {"name": "odoo.exceptions.AccessError", "debug": "Traceback"}}
        raise odoorpc.error.RPCError("Only collection managers may chat.", info)

    def crashes(_argv):
        info = {"data": {"name": "builtins.KeyError", "debug": "Traceback"}}
        raise odoorpc.error.RPCError("'partner_id'", info)

    assert_one_clear_line(
        *run_tool(refuses, [], capsys), "error: Only collection managers may chat."
    )
    assert_one_clear_line(
        *run_tool(crashes, [], capsys), "Odoo failed (KeyError): 'partner_id'"
    )


def test_the_script_itself_exits_2_without_traceback():
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "seed_demo.py"),
            "--url",
            f"http://127.0.0.1:{closed_port()}",
        ],
        capture_output=True,
        text=True,
        env={"ODOO_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert_one_clear_line(done.returncode, done.stdout, done.stderr, "refused")


# --------------------------------------------------------- the tools' logic


def test_seeded_portfolio_is_reproducible_and_valid():
    import datetime  # noqa: PLC0415
    import random  # noqa: PLC0415

    phonenumbers = pytest.importorskip("phonenumbers")
    first = seed_demo.make_customers(random.Random(7), 300, "T")
    again = seed_demo.make_customers(random.Random(7), 300, "T")
    other = seed_demo.make_customers(random.Random(8), 300, "T")
    assert first == again and first != other
    assert {c["country_code"] for c in first[:6]} == set(seed_demo.COUNTRIES)
    assert len({c["ref"] for c in first}) == 300
    for customer in first:
        number = phonenumbers.parse(customer["mobile"])
        assert phonenumbers.is_valid_number(number), customer
        assert phonenumbers.region_code_for_number(number) == customer["country_code"]
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        assert customer["mobile"] == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
        assert customer["lang"] == seed_demo.COUNTRIES[customer["country_code"]]["lang"]
        assert customer["email"].isascii() and "@" in customer["email"]
    consents = {key for c in first for key in c if c[key] is True}
    assert {"collection_consent_sms", "collection_consent_whatsapp"} <= consents
    today = datetime.date(2026, 3, 2)
    invoices = seed_demo.make_invoices(random.Random(7), 2000, today)
    offsets = [(due - today).days for _date, due, _amount in invoices]
    assert min(offsets) == -120 and max(offsets) == 30
    assert all(date <= today and date <= due for date, due, _amount in invoices)
    amounts = [amount for *_dates, amount in invoices]
    assert 50 <= min(amounts) < 100 and 10000 < max(amounts) <= 20000


class FakePartner:
    def __init__(self, rows):
        self.rows = rows
        self.domains = []

    def search_read(self, domain, fields, limit=None, order=None):
        self.domains.append(domain)
        (field, operator, value) = domain[0]
        found = []
        for row in self.rows:
            have = str(row.get(field, ""))
            if operator == "=" and row.get(field) == value:
                found.append(row)
            elif operator == "=ilike" and have.lower() == str(value).lower():
                found.append(row)
            elif operator == "ilike" and str(value).lower() in have.lower():
                found.append(row)
        return found[:limit]


class FakeConversation:
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def chat_as_customer(self, partner_id, text):
        self.calls.append((partner_id, text))
        return self.answers.pop(0)


class FakeConnection:
    def __init__(self, partners, answers):
        self.partner = FakePartner(partners)
        self.conversation = FakeConversation(answers)

        class Env(dict):
            db = "fake"

        self.env = Env(
            {
                "res.partner": self.partner,
                "collection.conversation": self.conversation,
            }
        )


PARTNERS = [
    {"id": 7, "name": "Lucía Fernández Ortega", "email": "lucia@example.es",
     "mobile": "+34655123987", "phone": False, "country_id": [68, "Spain"]},
    {"id": 8, "name": "Lucía Gómez", "email": "lgomez@example.mx",
     "mobile": False, "phone": "+525512345678", "country_id": [156, "Mexico"]},
]  # fmt: skip


def chat(partners, answers, customer, text):
    connection = FakeConnection(partners, answers)
    args = agent_chat.parse_args(["--customer", customer])
    out, err = io.StringIO(), io.StringIO()
    code = agent_chat.run_online(connection, args, io.StringIO(text), out, err)
    return code, out.getvalue(), err.getvalue(), connection


def test_online_chat_prints_replies_links_and_actions():
    answers = [
        {"reply": "Su saldo pendiente es de 1.000,00 €.", "link": False,
         "state": "active", "outcome": None, "actions": [], "conversation_id": 3},
        {"reply": "Aquí tiene el enlace.", "link": "https://odoo/pay/1",
         "state": "active", "outcome": "payment_link",
         "actions": [{"type": "send_payment_link"},
                     {"type": "escalate", "transcript": [1, 2, 3]}],
         "conversation_id": 3},
    ]  # fmt: skip
    code, out, err, connection = chat(
        PARTNERS, answers, "Lucía Fernández Ortega", "cuánto debo?\n\nel enlace\n"
    )
    assert code == 0, err
    assert connection.conversation.calls == [(7, "cuánto debo?"), (7, "el enlace")]
    assert "agent> Su saldo pendiente es de 1.000,00 €." in out
    assert "  [link] https://odoo/pay/1" in out
    assert '[action] {"type": "send_payment_link"}' in out
    assert '"transcript": "<3 messages>"' in out
    assert json.loads(out.splitlines()[-1]) == {
        "customer_id": 7,
        "outcome": "payment_link",
        "state": "active",
        "conversation_id": 3,
    }


def test_online_chat_finds_the_customer_by_id_email_or_phone():
    for query, expected in (
        ("8", 8),
        ("LUCIA@example.es", 7),
        ("+34 655 123 987", 7),
        ("Lucía Gómez", 8),
    ):
        answer = {"error": "owes nothing"}
        partners = [dict(p, collection_phone_e164=p["mobile"]) for p in PARTNERS]
        code, _out, err, connection = chat(partners, [answer], query, "hola\n")
        assert code == 2 and "error: owes nothing" in err
        assert connection.conversation.calls == [(expected, "hola")], query


def test_online_chat_lists_ambiguous_customers_and_exits_2():
    code, out, err, connection = chat(PARTNERS, [], "lucía", "hola\n")
    assert code == 2 and not connection.conversation.calls
    assert err.startswith(
        "error: 2 customers match 'lucía'; choose one with --customer"
    )
    assert (
        "      7  Lucía Fernández Ortega  lucia@example.es  +34655123987  Spain" in err
    )
    assert "      8  Lucía Gómez" in err and "+525512345678  Mexico" in err
    code, out, err, _connection = chat(PARTNERS, [], "Pedro", "hola\n")
    assert (code, err) == (2, "error: No customer matches 'Pedro'.\n")
    code, out, err, _connection = chat(PARTNERS, [], "99", "hola\n")
    assert (code, err) == (2, "error: No customer has the id 99.\n")


def sample_report():
    return {
        "database": "demo",
        "steps": [{"step": "plan", "cron": run_cycle.STEPS["plan"], "seconds": 1.5}],
        "messages": {
            "before": {"sent": {"email": 4}},
            "after": {
                "sent": {"email": 4},
                "planned": {"sms": 2},
                "refused": {"email": 3},
            },
        },
        "promises": {"before": {"open": 2}, "after": {"open": 1, "kept": 1}},
        "new": {"total": 5, "by_state": {"planned": 2, "refused": 3},
                "by_channel": {"sms": 2, "email": 3}},
        "refused": {"count": 3, "top_reasons": [
            {"rule": "no_consent", "reason": "email: no consent.\nsms: no template.",
             "count": 3}]},
        "failed": {"count": 0, "top_errors": []},
    }  # fmt: skip


def test_cycle_report_in_words():
    out = io.StringIO()
    run_cycle.print_report(sample_report(), out)
    text = out.getvalue()
    assert "Cycle on demo: plan 1.50 s" in text
    assert "planned / sms                         0        2  (+2)" in text
    assert "sent / email                          4        4\n" in text
    assert "3  email: no consent.; sms: no template. [no_consent]" in text
    assert "Failed this cycle: 0" in text
    assert "kept                                  0        1" in text


class FakeMessages:
    def __init__(self, counts):
        self.counts = counts

    def search_count(self, domain):
        return self.counts.pop(0)


def test_waiting_for_the_job_runner_stops_when_sent_or_out_of_time():
    class Odoo:
        def __init__(self, counts):
            self.env = {"collection.message": FakeMessages(counts)}

    before = {"max_id": 10, "open_ids": [3]}
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    left = run_cycle.wait_for_sending(
        Odoo([5, 2, 0]), before, 60, clock=lambda: now[0], sleep=sleep
    )
    assert left == 0 and now[0] == 4.0
    now[0] = 0.0
    left = run_cycle.wait_for_sending(
        Odoo([5] * 100), before, 3, clock=lambda: now[0], sleep=sleep
    )
    assert left == 5 and now[0] == pytest.approx(3.0)
