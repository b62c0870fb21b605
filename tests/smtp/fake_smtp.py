#!/usr/bin/python3
"""A flaky SMTP server on loopback for Noaber's delivery tests (tests/unit/notify/test_delivery.c).

Runs on Debian's python3-aiosmtpd; start it with /usr/bin/python3 (another python3 on PATH cannot
import Debian's modules). It listens on 127.0.0.1, on --port (0: a free one) and prints
"PORT <n>" on stdout once it accepts connections. A fraction (--fail-rate) of RCPT and of DATA
commands is answered with a random 4xx or, for --hard-share of those, a 5xx, drawn from a
generator seeded with --seed so that a run can be repeated. Every accepted message is appended to
--log as one JSON line: its Message-ID, envelope, the subject and body as a real mail parser
decodes them (Python's email package), parser defects and facts about the raw lines, so the tests
can check what arrived, and how often. With --user and --password, AUTH is offered (also without
TLS, on loopback only) and required.

The server stops on SIGTERM, SIGINT, or when its stdin reaches end of file, so that it never
outlives the test that started it.
"""
import argparse
import asyncio
import email
import email.policy
import json
import random
import logging
import signal
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult


class Flaky:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.fail_rate = args.fail_rate
        self.hard_share = args.hard_share
        self.log = open(args.log, "a", encoding="utf-8")

    def refusal(self):
        if self.rng.random() >= self.fail_rate:
            return None
        if self.rng.random() < self.hard_share:
            return self.rng.choice(["550 5.1.1 Mailbox unavailable (fake)",
                                    "554 5.7.1 Rejected for now (fake)"])
        return self.rng.choice(["450 4.2.1 Mailbox busy (fake)",
                                "451 4.3.0 Try again later (fake)",
                                "452 4.3.1 Insufficient storage (fake)"])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = self.refusal()
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refused = self.refusal()
        if refused:
            return refused
        raw = envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = "" if msg.is_multipart() else msg.get_content()
        lines = raw.split(b"\r\n")
        record = {
            "message_id": str(msg.get("Message-ID", "")),
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg.get("From", "")),
            "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")),
            "date": str(msg.get("Date", "")),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset() or "",
            "body": body.replace("\r\n", "\n"),
            "defects": [type(d).__name__ for d in msg.defects],
            "bare_lf": raw.count(b"\n") - raw.count(b"\r\n"),
            "max_line": max((len(line) for line in lines), default=0),
            "authenticated": bool(getattr(session, "authenticated", False)),
        }
        self.log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.log.flush()
        return "250 OK queued"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)
    return check


async def main():
    # aiosmtpd warns about AUTH without TLS and logs every session; the tests need neither.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fail-rate", type=float, default=0.0)
    ap.add_argument("--hard-share", type=float, default=0.3)
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()

    loop = asyncio.get_running_loop()
    handler = Flaky(args)
    auth = {}
    if args.user:
        auth = dict(authenticator=authenticator(args.user, args.password or ""),
                    auth_required=True, auth_require_tls=False)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="fake-smtp.test", **auth), "127.0.0.1", args.port)
    stopped = loop.create_future()

    def stop():
        if not stopped.done():
            stopped.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, stop)
    loop.add_signal_handler(signal.SIGINT, stop)

    def stdin_ready():
        if not sys.stdin.buffer.read1(4096):
            loop.remove_reader(sys.stdin.fileno())
            stop()

    loop.add_reader(sys.stdin.fileno(), stdin_ready)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    await stopped
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
