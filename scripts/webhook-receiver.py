#!/usr/bin/env python3
"""A webhook receiver for Backstop's tests and for trying delivery by hand (loopback only).

Verifies every message with the reference `standardwebhooks` library and appends what it got
to a JSON-lines log, so a receiver that was stopped and started again keeps its history:

    python3 scripts/webhook-receiver.py --port 9000 --secret whsec_... --log received.jsonl

Control (for tests): POST /control {"mode": "ok"|"fail"|"gone"|"slow", "delay": seconds,
"secret": "whsec_..."}; GET /received lists what the log holds, GET /arrivals the webhook
ids of the requests this process has seen arrive (before answering them). In mode "fail" it answers
503 with Retry-After: 1, in "gone" 410, in "slow" it waits `delay` seconds before answering.
"""
import argparse
import json
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

state = {"mode": "ok", "delay": 0.0, "secret": None, "log": None, "arrivals": []}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/arrivals":
            with lock:
                arrivals = list(state["arrivals"])
            return self.answer(200, json.dumps(arrivals).encode(), [("content-type", "application/json")])
        if self.path != "/received":
            return self.answer(404)
        with lock, open(state["log"], "a+") as log:
            log.seek(0)
            lines = [json.loads(line) for line in log if line.strip()]
        self.answer(200, json.dumps(lines).encode(), [("content-type", "application/json")])

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/control":
            with lock:
                state.update(json.loads(body))
            return self.answer(204)
        with lock:
            state["arrivals"].append(self.headers.get("webhook-id"))
            mode, delay, secret = state["mode"], float(state["delay"]), state["secret"]
        if mode == "fail":
            return self.answer(503, b"down for maintenance", [("retry-after", "1")])
        if mode == "gone":
            return self.answer(410)
        if mode == "slow":
            time.sleep(delay)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload = Webhook(secret).verify(body.decode(), headers)
            verified = True
        except (WebhookVerificationError, Exception) as error:  # noqa: BLE001 - any failure is a bad signature
            payload, verified = {"error": str(error)}, False
        entry = {"webhook_id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                 "verified": verified, "type": payload.get("type") if isinstance(payload, dict) else None,
                 "data_id": (payload.get("data") or {}).get("id") if isinstance(payload, dict) else None,
                 "received_at": time.time(), "body": body.decode(errors="replace"),
                 "headers": {name: headers.get(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}}
        with lock, open(state["log"], "a") as log:
            log.write(json.dumps(entry) + "\n")
        self.answer(204 if verified else 400)


def verify_log(path, secret):
    """Verifies every message a log holds again, offline, as a partner's receiver would."""
    failures = 0
    with open(path) as log:
        for line in log:
            entry = json.loads(line)
            try:
                # The timestamp's 5-minute tolerance was checked at arrival; here the signature.
                verify_signature(secret, entry)
                print(f"OK      {entry['webhook_id']} {entry['type']}")
            except Exception as error:  # noqa: BLE001
                failures += 1
                print(f"FAILED  {entry.get('webhook_id')}: {error}")
    return 1 if failures else 0


def verify_signature(secret, entry):
    """The signature over id.timestamp.body, checked with the library's own signing."""
    headers = entry["headers"]
    expected = Webhook(secret).sign(headers["webhook-id"], datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=timezone.utc), entry["body"])
    given = headers["webhook-signature"].split(" ")
    if expected not in given:
        raise WebhookVerificationError("no matching signature")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret")
    parser.add_argument("--log", required=True)
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--verify-log", action="store_true", help="verify the log's messages with --secret and exit (1 if any fails)")
    arguments = parser.parse_args()
    if arguments.verify_log:
        return verify_log(arguments.log, arguments.secret)
    state.update(secret=arguments.secret, log=arguments.log, mode=arguments.mode)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
