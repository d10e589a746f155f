#!/usr/bin/env python3
"""Load test of dispatch and webhooks against a real multi-worker Odoo.

    python3 scripts/loadtest.py --database collections_load [--messages 10000]
        [--webhooks 10000] [--concurrency 50] [--kill-worker | --kill-server]

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
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import dev  # noqa: E402 (the project's own helpers: find Odoo, clone the base)

SECRET = "loadtest-secret"


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


def start_odoo(options, addons_path, port):
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=f"root:{options.workers * 2}",
        # 50 clients queue on a few workers: without a buffering proxy in
        # front, Odoo's default 2 s socket timeout drops connections that wait
        ODOO_HTTP_SOCKET_TIMEOUT=str(options.socket_timeout),
    )
    args = dev.odoo_command(
        addons_path,
        options,
        f"--database={options.database}",
        f"--db-filter=^{options.database}$",
        f"--http-port={port}",
        f"--workers={options.workers}",
        "--max-cron-threads=1",
        "--load=base,web,queue_job",
        "--limit-time-real=600",
        "--limit-time-cpu=600",
        "--log-level=warn",
        f"--logfile={options.logfile}",
    )
    # Odoo's prefork master starts its websocket (gevent) process by running
    # its own script again, which `python -m odoo` cannot be: a launcher can
    launcher = Path(options.logfile).with_name("collections_loadtest_odoo.py")
    launcher.write_text("import odoo.cli\n\nodoo.cli.main()\n")
    args = [sys.executable, str(launcher), *args[3:]]
    return subprocess.Popen(args, env=env, start_new_session=True)  # noqa: S603


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
    """Customers at noon in their time zone, one due SMS row each."""
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
            "rate_limit": 0,
            "batch_size": options.batch,
        }
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
                    "channel": "sms",
                    "state": "planned",
                    "scheduled_at": now.strftime("%Y-%m-%d %H:%M:%S"),
                    "idempotency_key": f"load-{run}-{partner_id}",
                    "body": "Your invoice is overdue: please pay.",
                }
                for partner_id in partner_ids[start : start + 1000]
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
    Message = odoo.env["collection.message"]
    result = {}
    for group in Message.read_group([("id", "in", ids)], ["state"], ["state"]):
        result[group["state"]] = group["state_count"]
    return result


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
    parser.add_argument("--stuck-minutes", type=float, default=1.0)
    parser.add_argument(
        "--socket-timeout",
        type=float,
        default=30.0,
        help="Odoo's ODOO_HTTP_SOCKET_TIMEOUT (its default is 2 s)",
    )
    parser.add_argument("--logfile", default="/tmp/collections_loadtest.log")
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    options = parser.parse_args(argv)
    addons_path = dev.find_odoo()
    prepare_database(options, addons_path)
    gateway_port, odoo_port = free_port(), free_port()
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
    server = start_odoo(options, addons_path, odoo_port)
    try:
        wait_http(f"http://127.0.0.1:{gateway_port}/_stats")
        wait_http(f"http://127.0.0.1:{odoo_port}/web/login")
        odoo = connect(odoo_port, options.database)
        print(f"Seeding {options.messages} customers and outbox rows...", flush=True)
        ids = seed(odoo, options, gateway_port)
        before = gateway_stats(gateway_port)
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
                    server = start_odoo(options, addons_path, odoo_port)
                    wait_http(f"http://127.0.0.1:{odoo_port}/web/login")
                    odoo = connect(odoo_port, options.database)
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
            done = sum(state.get(s, 0) for s in ("sent", "delivered", "failed"))
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
        left = {
            "queued": state.get("queued", 0),
            "sending": state.get("sending", 0),
            "planned": state.get("planned", 0),
            "jobs_started": jobs.get("started", 0),
            "jobs_enqueued": jobs.get("enqueued", 0),
            "jobs_pending": jobs.get("pending", 0),
        }
        report = {
            "messages": len(ids),
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
            "lost": len(ids) - min(unique, len(ids)),
            # jobs of dead workers the dispatcher's recovery cancelled after
            # taking their rows back; the script itself never touches a job
            "released_jobs": jobs.get("cancelled", 0),
            "manual_requeue": 0,
            "jobs": jobs,
            "left": left,
            "states_after_dispatch": state,
            "dispatch_seconds": round(elapsed, 1),
            "messages_per_second": round(unique / elapsed, 1) if elapsed else None,
            "webhooks_posted": len(codes),
            "webhook_replays": len(replays),
            "webhook_2xx": sum(1 for c in codes if 200 <= c < 300),
            "webhook_4xx": sum(1 for c in codes if 400 <= c < 500),
            "webhook_5xx": sum(1 for c in codes if c >= 500),
            "webhooks_per_second": round(len(codes) / hook_elapsed, 1),
            "delivered": final.get("delivered", 0),
            "states_after_webhooks": final,
        }
        print(json.dumps(report, indent=2))
        ok = (
            report["lost"] == 0
            and sent_twice == 0
            and not any(left.values())
            and report["webhook_5xx"] == 0
        )
        return 0 if ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        gateway.send_signal(signal.SIGTERM)
        server.wait(30)
        gateway.wait(10)


if __name__ == "__main__":
    sys.exit(main())
