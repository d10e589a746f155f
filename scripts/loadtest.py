#!/usr/bin/env python3
"""Load test of dispatch and webhooks against a real multi-worker Odoo.

    python3 scripts/loadtest.py --database collections_load [--messages 10000]
        [--webhooks 10000] [--concurrency 50] [--kill-worker]

What it does, end to end, with nothing mocked:

1. starts the loopback gateway (``tests/servers/generic.py``: the generic
   signed-webhook protocol, deduplicating by ``Idempotency-Key``) and an
   Odoo server with ``--workers`` and OCA queue_job's job runner, on a
   database holding the suite (cloned from ``dev.py``'s cached base and
   installed without demo data when missing);
2. over XML-RPC (odoorpc), creates one customer per message and one due
   outbox row each, routed through a generic provider pointing at the
   gateway, then triggers the dispatch cron: rows go out through queue_job
   jobs on the ``root.collections.generic`` channel, several workers at once;
3. with ``--kill-worker``, SIGKILLs an Odoo worker while it sends, lets the
   master respawn it and the dispatcher recover what the dead worker held;
4. posts one signed delivery receipt per sent row to
   ``/collections/webhook/generic``, ``--concurrency`` at a time, then
   replays a tenth of them;
5. prints sent (distinct rows the gateway accepted), delivered (rows the
   receipts moved), duplicate requests (a second request for a row the
   gateway already had: absorbed by its Idempotency-Key), lost (rows never
   sent), webhook 5xx, and throughput from outbox to gateway.
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
    parser.add_argument("--kill-worker", action="store_true")
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
    import odoorpc  # noqa: PLC0415 (pinned in requirements-dev)

    addons_path = dev.find_odoo()
    prepare_database(options, addons_path)
    gateway_port, odoo_port = free_port(), free_port()
    gateway = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "tests" / "servers" / "generic.py"),
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
        odoo = odoorpc.ODOO("127.0.0.1", port=odoo_port, timeout=600)
        odoo.login(options.database, "admin", "admin")
        print(f"Seeding {options.messages} customers and outbox rows...", flush=True)
        ids = seed(odoo, options, gateway_port)
        before = gateway_stats(gateway_port)
        cron = odoo.env.ref("collections_automation.ir_cron_collection_dispatch")
        started = time.time()
        cron.method_direct_trigger()
        killed = None
        sent_at_kill = None
        last_progress = (0, time.time())
        while True:
            stats = gateway_stats(gateway_port)
            unique = stats["unique"] - before["unique"]
            if (
                options.kill_worker
                and killed is None
                and unique >= options.messages // 3
            ):
                pids = worker_pids(server.pid)
                if pids:
                    killed = pids[0]
                    sent_at_kill = unique
                    os.kill(killed, signal.SIGKILL)
                    print(f"SIGKILL worker {killed} at {unique} sent", flush=True)
            state = counts(odoo, ids)
            done = sum(state.get(s, 0) for s in ("sent", "delivered", "failed"))
            if done >= len(ids):
                break
            if unique != last_progress[0]:
                last_progress = (unique, time.time())
            elif time.time() - last_progress[1] > max(120, options.stuck_minutes * 120):
                print("No progress for two minutes: stopping the wait.", flush=True)
                break
            if killed and state.get("planned") and not state.get("queued"):
                cron.method_direct_trigger()  # the recovered rows, at once
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
        unique = stats["unique"] - before["unique"]
        requests = stats["received"] - before["received"]
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
            "lost": len(ids) - unique,
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
        return 0 if report["lost"] == 0 and report["webhook_5xx"] == 0 else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        gateway.send_signal(signal.SIGTERM)
        server.wait(30)
        gateway.wait(10)


if __name__ == "__main__":
    sys.exit(main())
