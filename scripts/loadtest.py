#!/usr/bin/env python3
"""Load test of dispatch and webhooks against a real multi-worker Odoo.

    python3 scripts/loadtest.py --database collections_load [--messages 10000]
        [--webhooks 10000] [--concurrency 50] [--kill-worker | --kill-server]
        [--servers 2] [--rate-limit 100]

What it does, end to end, with nothing mocked:

1. starts the loopback gateway
   (``addons/collections_automation/loopback/generic.py``: the generic
   signed-webhook protocol, deduplicating by ``Idempotency-Key``) and an
   Odoo server with ``--workers`` and OCA queue_job's job runner, on a
   database holding the suite (cloned from ``dev.py``'s cached base and
   installed without demo data when missing);
2. over XML-RPC (odoorpc), creates one customer per message and one due
   outbox row each, routed through a generic provider pointing at the
   gateway, then triggers the dispatch cron: rows go out through queue_job
   jobs on the ``root.collections.generic`` channel, several workers at once;
3. with ``--kill-worker``, SIGKILLs the Odoo worker running a send job
   while it sends, and lets the master respawn it; with ``--kill-server``,
   SIGKILLs the whole server (master, workers, job runner) and starts it
   again. Nothing is done by hand after that: the dispatch cron's recovery
   releases the jobs the dead workers left ``started`` (which the job runner
   would otherwise count against its channel's capacity for ever) and
   recovers their rows; the script only waits until every row is sent or
   failed and no job of the run is waiting or running;
4. posts one signed delivery receipt per sent row to
   ``/collections/webhook/generic``, ``--concurrency`` at a time, then
   replays a tenth of them;
With ``--servers 2``, two Odoo servers share the database as a multi-node
deployment runs them (Odoo's and queue_job's documentation): each with its
own ``--workers`` HTTP workers and cron thread, queue_job's job runner on the
first one only (``ODOO_QUEUE_JOB_CHANNELS=root:0`` on the second), behind a
round-robin load balancer (a small TCP proxy started here, which skips a
server that refuses connections, as a health check does). The job runner
calls ``/queue_job/runjob`` through the balancer, so both servers' workers
send; the receipts are posted through it too, so both servers take
webhooks. ``--kill-server`` then SIGKILLs the first server (the one running
the job runner) and starts it again. ``--rate-limit`` sets the provider's
messages per second: every worker of both servers reserves its sends on the
provider's row (``collection.provider._reserve_slots``), and the script
checks, from the gateway's counter sampled ten times a second, that no
window of time saw more than the rate allows (plus one reserved chunk of
50, sent as a burst at the start of its slot, and one send:
``addons/collections_automation/engine/pace.py``).

With ``--two-channels``, each customer is due an SMS and a WhatsApp at the
same minute, through two providers (two generic ones, both pointing at the
gateway), and the contact policy allows one contact in 7 days across every
channel: the two rows of a customer go out in two jobs running side by side
(with ``--batch`` at the number of customers and a ``--rate-limit``, the SMS
go in one long paced job, the WhatsApp in jobs of a tenth of ``--batch`` on
the other workers), and exactly one of them may go, the other refused or
deferred by the policy (``collection.contact.lock``). The report adds the
customers contacted once, twice (the defect) or not at all.

5. prints sent (distinct rows the gateway accepted), delivered (rows the
   receipts moved), duplicate requests (a second request for a row the
   gateway already had: absorbed by its Idempotency-Key), sent twice, lost
   (rows never sent), the jobs the suite's recovery released, jobs and rows
   left waiting or running, manual requeues (none: the script never touches
   a job), webhook 5xx, and throughput from outbox to gateway. It exits 1
   unless nothing is lost, nothing was sent twice, no row is left queued or
   sending, no job is left started, enqueued or pending, and no webhook
   failed.
"""

import argparse
import collections
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import dev  # noqa: E402 (the project's own helpers: find Odoo, clone the base)

SECRET = "loadtest-secret"
#: Messages one send job reserves and sends at once
#: (``collection.dispatcher._send_external``): the burst a rate limit allows
#: at the start of each reserved slot.
SEND_CHUNK = 50


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (loopback)
            return
        except Exception:  # noqa: BLE001 (not up yet)
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def gateway_stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=5) as r:  # noqa: S310
        return json.loads(r.read())


def prepare_database(options, addons_path):
    name = options.database
    if dev.database_exists(options, name) and not dev.missing_modules(options, name):
        return
    base = dev.ensure_base_database(addons_path, options, print)
    dev.copy_database(options, base, name)
    subprocess.run(
        dev.odoo_command(
            addons_path,
            options,
            f"--database={name}",
            "--init=collections_automation",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ),
        check=True,
    )


def start_odoo(options, addons_path, port, runner=True, jobs_via=None, logfile=None):
    """An Odoo server with ``--workers``; queue_job's job runner only when
    ``runner`` (it calls ``/queue_job/runjob`` on ``jobs_via``, the load
    balancer's port, when given, else on this server)."""
    logfile = logfile or options.logfile
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=f"root:{options.workers * 2 * options.servers}"
        if runner
        else "root:0",
        # 50 clients queue on a few workers: without a buffering proxy in
        # front, Odoo's default 2 s socket timeout drops connections that wait
        ODOO_HTTP_SOCKET_TIMEOUT=str(options.socket_timeout),
    )
    if jobs_via:
        env.update(ODOO_QUEUE_JOB_HOST="127.0.0.1", ODOO_QUEUE_JOB_PORT=str(jobs_via))
    args = dev.odoo_command(
        addons_path,
        options,
        f"--database={options.database}",
        f"--db-filter=^{options.database}$",
        f"--http-port={port}",
        # each server its own websocket (gevent) port: on Odoo's default one
        # (8072) the second server's gevent process failed to bind and was
        # started again and again, a load on the machine during the test
        f"--gevent-port={free_port()}",
        f"--workers={options.workers}",
        "--max-cron-threads=1",
        "--load=base,web,queue_job",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        "--log-level=warn",
        f"--logfile={logfile}",
    )
    # Odoo's prefork master starts its websocket (gevent) process by running
    # its own script again, which `python -m odoo` cannot be: a launcher can
    launcher = Path(logfile).with_name("collections_loadtest_odoo.py")
    launcher.write_text("import odoo.cli\n\nodoo.cli.main()\n")
    args = [sys.executable, str(launcher), *args[3:]]
    return subprocess.Popen(args, env=env, start_new_session=True)  # noqa: S603


class Balancer:
    """A round-robin TCP load balancer in front of the Odoo servers: each
    connection goes to the next server that accepts it (a server down is
    skipped, as a health check would). Counts the connections per server."""

    def __init__(self, ports):
        self.ports = list(ports)
        self.served = collections.Counter()
        self._turn = itertools.cycle(range(len(self.ports)))
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _connect(self):
        with self._lock:
            first = next(self._turn)
        for shift in range(len(self.ports)):
            port = self.ports[(first + shift) % len(self.ports)]
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                continue
            upstream.settimeout(None)
            with self._lock:
                self.served[port] += 1
            return upstream
        return None

    def _serve(self, client):
        upstream = self._connect()
        if upstream is None:
            client.close()
            return
        threading.Thread(
            target=self._pipe, args=(client, upstream, False), daemon=True
        ).start()
        self._pipe(upstream, client, True)

    @staticmethod
    def _pipe(source, target, close):
        """Copy until the end; half-close the other way (a client may stop
        listening, as queue_job's runner does, while the server works on)."""
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if close:
            source.close()
            target.close()

    def close(self):
        self._listener.close()


class RateProbe:
    """Samples the gateway's count of distinct messages ten times a second,
    to tell the most messages sent in any window of time. A sample's count
    was read some time between the request and its answer: a window runs
    from the first sample's request to the last one's answer, so that it
    holds every message counted in it."""

    def __init__(self, gateway_port, start):
        self.port = gateway_port
        self.start = start
        self.samples = []  # (asked at, answered at, messages so far)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            asked = time.monotonic()
            try:
                unique = gateway_stats(self.port)["unique"] - self.start
            except OSError:
                unique = None
            if unique is not None:
                self.samples.append((asked, time.monotonic(), unique))
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def windows(self, seconds):
        """(messages, seconds) of each window up to ``seconds`` long."""
        samples = self.samples
        for i, (asked, _answered, before) in enumerate(samples):
            for _asked, answered, after in samples[i + 1 :]:
                length = answered - asked
                if length > seconds:
                    break
                yield after - before, length

    def report(self, rate):
        """The most messages in a window of 1 s and of 10 s, and whether
        every window stayed within ``rate`` per second plus one chunk
        reserved ahead (sent as a burst at the start of its slot) and one
        send (``engine/pace.py``)."""
        result = {}
        for seconds in (1, 10):
            result[f"max_sent_in_{seconds}s"] = max(
                (count for count, _length in self.windows(seconds)), default=0
            )
        if rate:
            worst = max(
                (
                    count - rate * length
                    for count, length in self.windows(10)
                    if length > 0
                ),
                default=0,
            )
            # messages above the pace in the worst window, and the allowance
            result["max_above_rate"] = round(worst, 1)
            result["allowed_above_rate"] = SEND_CHUNK + 1
            result["rate_respected"] = worst <= SEND_CHUNK + 1
        return result


def worker_pids(master_pid):
    """HTTP workers of the Odoo master (its children but the cron and the
    job runner, which are found by their command line)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().split()
        except OSError:
            continue
        if int(stat[3]) == master_pid:
            pids.append(int(entry.name))
    return pids


def seed(odoo, options, gateway_port):
    """Customers at noon in their time zone, one due SMS row each (and a
    WhatsApp row due at the same minute, with ``--two-channels``)."""
    now = datetime.now(timezone.utc)
    offset = (12 - now.hour) % 24
    offset = offset - 24 if offset > 12 else offset  # Etc/GMT signs are reversed
    tz = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    Provider = odoo.env["collection.provider"]
    previous = Provider.search([])
    if previous:
        Provider.browse(previous).unlink()
    Provider.create(
        {
            "name": "Loopback gateway",
            "kind": "generic",
            "use_for_sms": True,
            "generic_url": f"http://127.0.0.1:{gateway_port}/messages",
            "generic_secret": SECRET,
            "rate_limit": options.rate_limit,
            "batch_size": options.batch,
        }
    )
    channels = ["sms"]
    if options.two_channels:
        channels.append("whatsapp")
        Provider.create(
            {
                "name": "Loopback gateway (WhatsApp)",
                "kind": "generic",
                "use_for_whatsapp": True,
                "generic_url": f"http://127.0.0.1:{gateway_port}/messages",
                "generic_secret": SECRET,
                "rate_limit": options.rate_limit,
                # small jobs on the other workers: most are decided while
                # the SMS job, paced, is sending to the same customers
                "batch_size": max(1, options.batch // 10),
            }
        )
    # the customers have no country: the policy of "other countries" is
    # theirs; one contact in 7 days on every channel with --two-channels
    Policy = odoo.env["collection.contact.policy"]
    Policy.browse(Policy.search([("country_id", "=", False)])).write(
        {"attempts_7d": 1 if options.two_channels else 0, "attempts_7d_scope": "all"}
    )
    odoo.env["ir.config_parameter"].set_param(
        "collections.dispatch_stuck_minutes", str(options.stuck_minutes)
    )
    run = int(time.time())
    company_id = odoo.env.user.company_id.id
    partner_ids = []
    for start in range(0, options.messages, 1000):
        count = min(1000, options.messages - start)
        partner_ids += odoo.env["res.partner"].create(
            [
                {
                    "name": f"Load {run}-{start + i}",
                    "mobile": f"+1202555{(start + i) % 10000:04d}",
                    "tz": tz,
                    "collection_consent_sms": True,
                    "collection_consent_whatsapp": True,
                }
                for i in range(count)
            ]
        )
    rows = []
    for start in range(0, len(partner_ids), 1000):
        rows += odoo.env["collection.message"].create(
            [
                {
                    "partner_id": partner_id,
                    "company_id": company_id,
                    "channel": channel,
                    "state": "planned",
                    "scheduled_at": now.strftime("%Y-%m-%d %H:%M:%S"),
                    "idempotency_key": f"load-{run}-{partner_id}-{channel}",
                    "body": "Your invoice is overdue: please pay.",
                }
                # a customer's rows side by side: the jobs of both providers
                # take the same customers at the same time
                for partner_id in partner_ids[start : start + 1000]
                for channel in channels
            ]
        )
    return rows


def running_job_pids(odoo):
    """Worker processes running a collections send job right now."""
    jobs = odoo.env["queue.job"].search_read(
        [
            ("model_name", "=", "collection.message"),
            ("method_name", "=", "_job_send"),
            ("state", "=", "started"),
        ],
        ["worker_pid"],
    )
    return sorted({job["worker_pid"] for job in jobs if job["worker_pid"]})


def run_jobs(odoo, since):
    """The run's send jobs by state (``since``: when the run began, UTC)."""
    result = {}
    for group in odoo.env["queue.job"].read_group(
        [
            ("model_name", "=", "collection.message"),
            ("method_name", "=", "_job_send"),
            ("date_created", ">=", since),
        ],
        ["state"],
        ["state"],
    ):
        result[group["state"]] = group["state_count"]
    return result


def connect(port, database):
    import odoorpc  # noqa: PLC0415 (pinned in requirements-dev)

    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=600)
    odoo.login(database, "admin", "admin")
    return odoo


def counts(odoo, ids):
    """Rows by state; rows the contact policy deferred apart."""
    Message = odoo.env["collection.message"]
    result = {}
    for group in Message.read_group([("id", "in", ids)], ["state"], ["state"]):
        result[group["state"]] = group["state_count"]
    deferred = Message.search_count(
        [("id", "in", ids), ("state", "=", "planned"), ("deferral_rule", "!=", False)]
    )
    if deferred:
        result["planned"] -= deferred
        result["deferred"] = deferred
    return result


def contacts_per_customer(odoo, ids):
    """How many customers had 0, 1 or 2 of their rows sent."""
    Message = odoo.env["collection.message"]
    customers = {row["partner_id"][0] for row in Message.read(ids, ["partner_id"])}
    sent = collections.Counter(
        row["partner_id"][0]
        for row in Message.search_read(
            [("id", "in", ids), ("state", "in", ["sent", "delivered"])],
            ["partner_id"],
        )
    )
    return {
        "customers": len(customers),
        "contacted_once": sum(1 for c in customers if sent[c] == 1),
        "contacted_twice": sum(1 for c in customers if sent[c] > 1),
        "not_contacted": sum(1 for c in customers if not sent[c]),
    }


def post_receipts(base_url, receipts, concurrency):
    """Signed delivery receipts; returns the status codes."""

    def post(receipt):
        raw = json.dumps({"events": [receipt]}).encode()
        stamp = int(time.time())
        digest = hmac.new(
            SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256
        ).hexdigest()
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{base_url}/collections/webhook/generic",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Collections-Signature": f"t={stamp},v1={digest}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 599

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(post, receipts))


def per_second(count, seconds):
    """``count`` per second over ``seconds``; None when nothing was counted."""
    return round(count / seconds, 1) if count and seconds else None


def emit(report, path=None):
    """Print the report, and write it to ``path`` when given."""
    print(json.dumps(report, indent=2))
    if path:
        Path(path).write_text(json.dumps(report))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="collections_load")
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--webhooks", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200)
    kill = parser.add_mutually_exclusive_group()
    kill.add_argument(
        "--kill-worker",
        action="store_true",
        help="SIGKILL the worker running a send job a third of the way in",
    )
    kill.add_argument(
        "--kill-server",
        action="store_true",
        help="SIGKILL the whole Odoo server a third of the way in, then start it",
    )
    parser.add_argument(
        "--servers",
        type=int,
        choices=(1, 2),
        default=1,
        help="Odoo servers on the database, behind a round-robin balancer "
        "(the job runner on the first)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        help="the provider's messages per second, shared by every worker of "
        "every server (0: none)",
    )
    parser.add_argument(
        "--two-channels",
        action="store_true",
        help="each customer due an SMS and a WhatsApp at once through two "
        "providers, one contact in 7 days allowed: exactly one may go",
    )
    parser.add_argument("--stuck-minutes", type=float, default=1.0)
    parser.add_argument(
        "--socket-timeout",
        type=float,
        default=30.0,
        help="Odoo's ODOO_HTTP_SOCKET_TIMEOUT (its default is 2 s)",
    )
    parser.add_argument("--logfile", default="/tmp/collections_loadtest.log")
    parser.add_argument(
        "--report", help="also write the JSON report to this file (benchmark.py)"
    )
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    options = parser.parse_args(argv)
    addons_path = dev.find_odoo()
    prepare_database(options, addons_path)
    gateway_port = free_port()
    ports = [free_port() for _server in range(options.servers)]
    balancer = Balancer(ports) if options.servers > 1 else None
    # where clients (receipts, the runner's calls) reach Odoo
    odoo_port = balancer.port if balancer else ports[0]
    logfiles = [
        options.logfile
        if number == 0
        else str(Path(options.logfile).with_suffix(f".{number + 1}.log"))
        for number in range(options.servers)
    ]

    def start(number):
        return start_odoo(
            options,
            addons_path,
            ports[number],
            runner=number == 0,
            jobs_via=balancer.port if balancer else None,
            logfile=logfiles[number],
        )

    gateway = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "addons" / "collections_automation" / "loopback" / "generic.py"),
            "--port",
            str(gateway_port),
            "--secret",
            SECRET,
        ]
    )
    servers = [start(number) for number in range(options.servers)]
    server = servers[0]
    # the script drives Odoo through the last server: the first may be killed
    control_port = ports[-1]
    probe = None
    try:
        wait_http(f"http://127.0.0.1:{gateway_port}/_stats")
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/web/login")
        odoo = connect(control_port, options.database)
        print(f"Seeding {options.messages} customers and outbox rows...", flush=True)
        ids = seed(odoo, options, gateway_port)
        before = gateway_stats(gateway_port)
        probe = RateProbe(gateway_port, before["unique"])
        cron = odoo.env.ref("collections_automation.ir_cron_collection_dispatch")
        since = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        started = time.time()
        cron.method_direct_trigger()  # the first run, rather than within a minute
        killed = None
        sent_at_kill = None
        last_progress = ((), time.time())
        # after a kill the rows wait for the stuck delay, then for the next
        # run of the dispatch cron (every minute) to recover them
        patience = max(300, options.stuck_minutes * 60 * 3 + 180)
        while True:
            stats = gateway_stats(gateway_port)
            unique = stats["unique"] - before["unique"]
            if (
                (options.kill_worker or options.kill_server)
                and killed is None
                and unique >= options.messages // 3
            ):
                if options.kill_server:
                    killed = server.pid
                    sent_at_kill = unique
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(30)
                    print(f"SIGKILL server {killed} at {unique} sent", flush=True)
                    server = servers[0] = start(0)
                    wait_http(f"http://127.0.0.1:{ports[0]}/web/login")
                    odoo = connect(control_port, options.database)
                    print("Server started again", flush=True)
                else:
                    pids = running_job_pids(odoo) or worker_pids(server.pid)
                    if pids:
                        killed = pids[0]
                        sent_at_kill = unique
                        os.kill(killed, signal.SIGKILL)
                        print(f"SIGKILL worker {killed} at {unique} sent", flush=True)
            state = counts(odoo, ids)
            jobs = run_jobs(odoo, since)
            done = sum(
                state.get(s, 0)
                for s in ("sent", "delivered", "failed", "refused", "deferred")
            )
            waiting = sum(jobs.get(s, 0) for s in ("pending", "enqueued", "started"))
            if done >= len(ids) and not waiting:
                break
            progress = (
                unique,
                tuple(sorted(state.items())),
                tuple(sorted(jobs.items())),
            )
            if progress != last_progress[0]:
                last_progress = (progress, time.time())
            elif time.time() - last_progress[1] > patience:
                print(
                    f"No progress for {patience:.0f} s: stopping the wait.", flush=True
                )
                break
            time.sleep(1)
        elapsed = time.time() - started
        probe.stop()
        stats = gateway_stats(gateway_port)
        state = counts(odoo, ids)
        sent_ids = odoo.env["collection.message"].search_read(
            [("id", "in", ids), ("state", "=", "sent")],
            ["provider_ref", "idempotency_key"],
        )
        receipts = [
            {
                "id": f"evt-{row['idempotency_key']}",
                "type": "status",
                "message_id": row["provider_ref"],
                "reference": row["idempotency_key"],
                "status": "delivered",
            }
            for row in sent_ids[: options.webhooks]
        ]
        replays = receipts[: len(receipts) // 10]
        runjob_calls = dict(balancer.served) if balancer else {}
        hook_started = time.time()
        codes = post_receipts(
            f"http://127.0.0.1:{odoo_port}", receipts, options.concurrency
        )
        codes += post_receipts(
            f"http://127.0.0.1:{odoo_port}", replays, options.concurrency
        )
        hook_elapsed = time.time() - hook_started
        final = counts(odoo, ids)
        jobs = run_jobs(odoo, since)
        unique = stats["unique"] - before["unique"]
        requests = stats["received"] - before["received"]
        # the gateway knows a row by its Idempotency-Key, one per row: more
        # distinct messages than rows would be rows that reached it twice
        sent_twice = max(0, unique - len(ids))
        # rows the policy refused or deferred are not lost: it held them
        expected = len(ids) - state.get("refused", 0) - state.get("deferred", 0)
        left = {
            "queued": state.get("queued", 0),
            "sending": state.get("sending", 0),
            "planned": state.get("planned", 0),
            "jobs_started": jobs.get("started", 0),
            "jobs_enqueued": jobs.get("enqueued", 0),
            "jobs_pending": jobs.get("pending", 0),
        }
        # each provider keeps its own pace: the gateway sees them together
        rate = probe.report(options.rate_limit * (2 if options.two_channels else 1))
        report = {
            "messages": len(ids),
            "servers": options.servers,
            "workers": options.workers,
            "worker_killed": killed,
            "sent_when_killed": sent_at_kill,
            "sent": unique,
            "gateway_requests": requests,
            # a second request for a row the gateway already had: the
            # Idempotency-Key makes it answer the first id, sending nothing
            "duplicate_requests": stats["duplicates"] - before["duplicates"],
            "rejected_requests": (requests - unique)
            - (stats["duplicates"] - before["duplicates"]),
            "sent_twice": sent_twice,
            "lost": expected - min(unique, expected),
            # jobs of dead workers the dispatcher's recovery cancelled after
            # taking their rows back; the script itself never touches a job
            "released_jobs": jobs.get("cancelled", 0),
            "manual_requeue": 0,
            "jobs": jobs,
            "left": left,
            "states_after_dispatch": state,
            "dispatch_seconds": round(elapsed, 1),
            "messages_per_second": per_second(unique, elapsed),
            "webhooks_posted": len(codes),
            "webhook_replays": len(replays),
            "webhook_2xx": sum(1 for c in codes if 200 <= c < 300),
            "webhook_4xx": sum(1 for c in codes if 400 <= c < 500),
            "webhook_5xx": sum(1 for c in codes if c >= 500),
            "webhooks_per_second": per_second(len(codes), hook_elapsed),
            "delivered": final.get("delivered", 0),
            "states_after_webhooks": final,
            "rate_limit": options.rate_limit or None,
            **rate,
        }
        if options.two_channels:
            report["per_customer"] = contacts_per_customer(odoo, ids)
        if balancer:
            # connections each server took: the runner's calls to run jobs
            # during the dispatch, then the webhooks
            names = {port: f"server_{n + 1}" for n, port in enumerate(ports)}
            report["connections_during_dispatch"] = {
                names[port]: count for port, count in sorted(runjob_calls.items())
            }
            report["connections_in_all"] = {
                names[port]: count for port, count in sorted(balancer.served.items())
            }
        emit(report, options.report)
        ok = (
            report["lost"] == 0
            and sent_twice == 0
            and not any(left.values())
            and report["webhook_5xx"] == 0
            and report.get("rate_respected", True)
            and not report.get("per_customer", {}).get("contacted_twice")
            and not report.get("per_customer", {}).get("not_contacted")
        )
        return 0 if ok else 1
    finally:
        if probe:
            probe.stop()
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
        gateway.send_signal(signal.SIGTERM)
        for process in servers:
            process.wait(30)
        gateway.wait(10)
        if balancer:
            balancer.close()


if __name__ == "__main__":
    sys.exit(main())
