#!/usr/bin/env python3
"""Local stand-ins for what the demo cannot reach: a mail catcher and a gateway.

    python3 scripts/demo_services.py --webhook-url \\
        http://127.0.0.1:8069/collections/webhook/generic --secret S3CRET

``python3 scripts/dev.py run`` starts them beside Odoo; run alone, they serve
until Ctrl-C. Nothing leaves the machine:

- the **mail catcher**: an SMTP server on 127.0.0.1 that accepts every
  message and keeps it (Odoo's outgoing mail server in the demo);
- the **gateway**: the loopback server of the generic provider protocol
  (``addons/collections_automation/loopback/generic.py``) carrying SMS,
  WhatsApp and calls; a moment
  after each message it posts a signed ``delivered`` receipt to Odoo's
  webhook, as a real provider does;
- a **page** listing everything they received, newest first, refreshed every
  few seconds; the same entries are appended, one JSON object a line, to
  ``messages.jsonl`` in the log folder.
"""

import argparse
import email
import email.policy
import html
import json
import re
import signal
import socket
import socketserver
import sys
import tempfile
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines import load_engine  # noqa: E402

load_engine("collections_automation", "loopback")
from collections_automation_loopback.generic import GenericServer  # noqa: E402

#: The largest message the mail catcher takes (bytes).
MAX_MESSAGE = 10 * 1024 * 1024
TAGS = re.compile(r"<[^>]+>")
#: Invisible characters mail clients hide (Odoo pads its preview text with them).
INVISIBLE = re.compile("[\u034f\u00ad\u200b-\u200f\u2060\ufeff]")


def default_log_dir(database="collections_demo"):
    """Where the demo's stand-ins write what they received."""
    return Path(tempfile.gettempdir()) / "collections_demo" / database


def free_port(preferred=0):
    """``preferred`` when nothing listens there on 127.0.0.1, else any free port."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")


class MessageLog:
    """What the stand-ins received, in memory and as JSON lines in a file."""

    def __init__(self, path=None):
        self.path = Path(path) if path else None
        self.entries = []
        self.lock = threading.Lock()
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def add(self, **entry):
        entry = {
            "at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            **entry,
        }
        with self.lock:
            self.entries.append(entry)
            if self.path:
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry

    def snapshot(self):
        with self.lock:
            return list(self.entries)


# ------------------------------------------------------------- mail catcher


def read_email(data):
    """``{from, to, subject, body}`` of a raw RFC 5322 message (plain text body)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if part is not None:
        try:
            text = part.get_content()
        except (LookupError, ValueError):  # an unknown charset: show the bytes
            text = part.get_payload(decode=True).decode("utf-8", "replace")
        if part.get_content_type() == "text/html":
            text = html.unescape(TAGS.sub(" ", text))
    return {
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "body": re.sub(
            r"\n\s*\n\s*\n+",
            "\n\n",
            re.sub(r"[ \t]+", " ", INVISIBLE.sub("", text.replace("\r\n", "\n"))),
        ).strip(),
    }


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: every message is accepted."""

    timeout = 60

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 localhost collections demo mail catcher")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            text = line.decode("utf-8", "replace").strip()
            verb, _space, argument = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.wfile.write(
                    b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                    + f"250 SIZE {MAX_MESSAGE}\r\n".encode()
                )
                self.wfile.flush()
            elif verb in ("HELO", "NOOP"):
                self.reply("250 OK")
            elif verb == "MAIL":
                sender, recipients = argument.partition(":")[2].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(argument.partition(":")[2].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return
                self.server.catcher.received(sender, recipients, data)
                sender, recipients = "", []
                self.reply("250 OK: queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self):
        lines, size = [], 0
        while True:
            line = self.rfile.readline(MAX_MESSAGE)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            if line.startswith(b".."):
                line = line[1:]  # dot-stuffing
            size += len(line)
            if size <= MAX_MESSAGE:
                lines.append(line)


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MailCatcher:
    """An SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self, log, port=0):
        self.log = log
        self._server = _SmtpServer(("127.0.0.1", port), _SmtpHandler)
        self._server.catcher = self
        self.port = self._server.server_address[1]
        self._thread = None

    def received(self, sender, recipients, data):
        try:
            fields = read_email(data)
        except Exception as error:  # noqa: BLE001 (keep what arrived, say why)
            fields = {"subject": "", "body": f"(unreadable message: {error})"}
        self.log.add(
            channel="email",
            to=fields.get("to") or ", ".join(recipients),
            sender=fields.get("from") or sender,
            subject=fields.get("subject", ""),
            body=fields.get("body", ""),
            status="received",
        )

    def start(self):
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="MailCatcher", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


# ------------------------------------------------------------------ gateway


class Gateway(GenericServer):
    """The loopback generic gateway, logging what it carries."""

    def __init__(self, log, secret, webhook_url=None, port=0, **kwargs):
        super().__init__(
            secret,
            webhook_url=webhook_url,
            on_message=self._log_message,
            host="127.0.0.1",
            port=port,
            record=False,
            **kwargs,
        )
        self.log = log

    def _log_message(self, body, our_id):
        metadata = body.get("metadata") or {}
        self.log.add(
            channel=body["channel"],
            to=body["to"],
            subject=metadata.get("subject") or "",
            body=body.get("body") or "",
            status="accepted",
            gateway_id=our_id,
            reference=body["id"],
        )


# --------------------------------------------------------------------- page

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Collections demo: messages sent</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
td.body{{white-space:pre-wrap;max-width:48em}}</style></head><body>
<h1>Messages sent by the demo</h1>
<p>{summary}. Emails reach the mail catcher (SMTP 127.0.0.1:{smtp_port}); SMS,
WhatsApp and calls the loopback gateway of the generic provider protocol, which
answers each with a delivery receipt to Odoo. Also in {log}.</p>
<table><tr><th>When</th><th>Channel</th><th>To</th><th>Subject</th><th>Text</th></tr>
{rows}</table></body></html>
"""


class _PageHandler(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        """Quiet: the page refreshes itself every few seconds."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        services = self.server.services
        entries = services.log.snapshot()
        if self.path.split("?")[0] == "/messages.json":
            data = json.dumps(entries, ensure_ascii=False).encode()
            content_type = "application/json"
        elif self.path.split("?")[0] == "/":
            data = services.page(entries).encode()
            content_type = "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# ----------------------------------------------------------------- together


class DemoServices:
    """The mail catcher, the gateway and the page, started and stopped together.

    :param webhook_url: Odoo's ``/collections/webhook/generic``, where the
        gateway posts its receipts (None: no receipts)
    :param secret: the generic provider's signing secret, shared with Odoo
    :param log_dir: folder of ``messages.jsonl`` (None: kept in memory only)
    :param page_port: the page's port when free (0: any)
    :param gateway_options: more keyword arguments of the gateway
        (``GenericServer``: ``receipt_delays``...)
    """

    def __init__(
        self, secret, webhook_url=None, log_dir=None, page_port=0, **gateway_options
    ):
        self.log = MessageLog(Path(log_dir) / "messages.jsonl" if log_dir else None)
        self.mail = MailCatcher(self.log)
        self.gateway = Gateway(
            self.log, secret, webhook_url=webhook_url, **gateway_options
        )
        self._page = _PageServer(("127.0.0.1", free_port(page_port)), _PageHandler)
        self._page.services = self
        self._page_thread = None

    @property
    def smtp_port(self):
        return self.mail.port

    @property
    def gateway_url(self):
        return f"{self.gateway.url}{self.gateway.path}"

    @property
    def page_url(self):
        return f"http://127.0.0.1:{self._page.server_address[1]}/"

    def page(self, entries):
        counts = {}
        for entry in entries:
            counts[entry["channel"]] = counts.get(entry["channel"], 0) + 1
        summary = (
            ", ".join(f"{count} {channel}" for channel, count in sorted(counts.items()))
            or "Nothing yet"
        )
        rows = "\n".join(
            "<tr>"
            + "".join(
                f"<td{' class=body' if key == 'body' else ''}>"
                f"{html.escape(str(entry.get(key, '')))}</td>"
                for key in ("at", "channel", "to", "subject", "body")
            )
            + "</tr>"
            for entry in reversed(entries)
        )
        return PAGE.format(
            summary=summary,
            smtp_port=self.smtp_port,
            log=html.escape(str(self.log.path or "memory only")),
            rows=rows,
        )

    def start(self):
        self.mail.start()
        self.gateway.start()
        self._page_thread = threading.Thread(
            target=self._page.serve_forever, name="DemoPage", daemon=True
        )
        self._page_thread.start()
        return self

    def stop(self):
        self._page.shutdown()
        self._page.server_close()
        self.gateway.stop()
        self.mail.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", required=True, help="the provider's secret")
    parser.add_argument("--webhook-url", help="Odoo's /collections/webhook/generic")
    parser.add_argument("--log-dir", default=str(default_log_dir()))
    parser.add_argument("--page-port", type=int, default=0)
    options = parser.parse_args(argv)
    services = DemoServices(
        options.secret,
        webhook_url=options.webhook_url,
        log_dir=options.log_dir,
        page_port=options.page_port,
    ).start()
    print(
        f"Mail catcher: SMTP 127.0.0.1:{services.smtp_port}\n"
        f"Gateway: {services.gateway_url}\n"
        f"Messages: {services.page_url} and {services.log.path}",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
