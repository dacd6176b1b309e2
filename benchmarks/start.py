#!/usr/bin/env python3
"""Measures how soon a freshly started Backstop node serves current incidents from a data
directory that already holds them.

Baseline and subject come from the same process starts: the time from launching
`backstop serve` until it listens (the store opened and migrated, the gazetteer parsed, the
router built) is the baseline; the time to the first `GET /api/v1/incidents` that answers
200 without `Backstop-Incidents-Behind` (every committed record reflected) is the subject.
The first /healthz answer is shown too (it queues behind the incidents being read).
Each start is measured --runs times; the median and the ratio to the baseline are printed.
"""
import argparse, http.client, json, os, re, signal, statistics, subprocess, sys, tempfile, time


observations = None


def ask(port, path, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": "Bearer " + token} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Backstop-Incidents-Behind"), body


def start(binary, data, log, level="warning"):
    started = time.perf_counter()
    server = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", "0", "--log-level", level],
                              stdout=log, stderr=subprocess.STDOUT)
    return server, started


def port_of(log_path, server):
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(log_path) as handle:
            found = re.search(r"listening on http://[0-9.]+:([0-9]+)", handle.read())
        if found:
            return int(found.group(1))
        if server.poll() is not None:
            raise SystemExit("the server exited: " + open(log_path).read())
        time.sleep(0.002)
    raise SystemExit("the server did not start")


def until(condition, limit):
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        try:
            if condition():
                return time.perf_counter()
        except (ConnectionError, OSError):
            pass
        time.sleep(0.01)
    return None


def memory(pid):
    """Resident memory now and at its peak, in MiB (Linux /proc)."""
    fields = {}
    with open("/proc/%d/status" % pid) as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def settled_memory(server, limit, log_path):
    """Resident memory once the node has settled: after it serves current incidents it takes
    the incident work over and re-fuses the history in memory. Wait until its log says it
    holds the incident work (waiting for the memory to stop growing alone read it, now and
    then, in the middle of the takeover), then until resident memory has not grown for 10 s
    (or `limit` seconds). A node that exits or does not finish the takeover within `limit`
    gives no figure: any reading then would not be the settled memory."""
    deadline = time.time() + limit
    while True:
        with open(log_path) as handle:
            held = re.search(r".*holds the incident work.*", handle.read())
        if held:
            took = re.search(r"took=([0-9.]+) (\w+)", held.group(0))
            break
        if server.poll() is not None:
            raise SystemExit("the server exited while taking the incident work over:\n" + open(log_path).read()[-4000:])
        if time.time() > deadline:
            raise SystemExit("the node did not hold the incident work within %.0f s (raise --limit)" % limit)
        time.sleep(0.2)
    last, still = memory(server.pid)[0], 0
    while time.time() < deadline and still < 10:
        time.sleep(1)
        now = memory(server.pid)[0]
        still = still + 1 if now <= last * 1.01 else 0
        last = max(last, now)
    return memory(server.pid) + ((float(took.group(1)) if took and took.group(2).startswith("second") else None),)


def measure(binary, data, token, limit, settle=False):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
        # The takeover's end is logged at the info level.
        server, started = start(binary, data, log, "info" if settle else "warning")
        try:
            port = port_of(log.name, server)
            listening = time.perf_counter()
            health = until(lambda: ask(port, "/healthz")[0] == 200, limit)
            global observations
            observations = json.loads(ask(port, "/healthz")[2]).get("observations")
            answered = []
            def current():
                status, behind, body = ask(port, "/api/v1/incidents?limit=1", token)
                answered.append((status, behind))
                return status == 200 and behind is None
            incidents = until(current, limit)
            at_current = memory(server.pid)
            settled = settled_memory(server, limit, log.name) if settle else None
            return listening - started, health - started, (incidents - started) if incidents else None, answered, at_current, settled
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=600, help="seconds to wait for current incidents before giving up")
    parser.add_argument("--memory", action="store_true", help="after each start is current, wait for its resident memory to settle and report it")
    arguments = parser.parse_args()
    healths, currents = [], []
    for run in range(arguments.runs):
        listening, health, current, answered, at_current, settled = measure(arguments.binary, arguments.data_dir, arguments.token, arguments.limit,
                                                                            arguments.memory)
        behind = [b for _, b in answered if b]
        print("start %d: listening after %.2f s, /healthz %.2f s, current incidents after %s (%d reads, %s); resident memory %.0f MiB then%s" % (
            run + 1, listening, health, "%.2f s" % current if current is not None else "more than %.0f s" % arguments.limit,
            len(answered), ("first said %s records behind" % behind[0]) if behind else "none behind", at_current[0],
            "" if settled is None else ", %.0f MiB once settled (the incident work taken over%s), %.0f MiB at its peak" % (
                settled[0], "" if settled[2] is None else " in %.1f s" % settled[2], settled[1])), flush=True)
        healths.append(listening)
        if current is not None:
            currents.append(current)
    if len(currents) < len(healths):
        raise SystemExit("some starts did not serve current incidents within %.0f s" % arguments.limit)
    print("%s observations in %s" % (observations, arguments.data_dir))
    base, subject = statistics.median(healths), statistics.median(currents)
    print("median: listening %.2f s (baseline), current incidents %.2f s (x%.1f the baseline); slowest start %.2f s" % (
        base, subject, subject / base, max(currents)))


if __name__ == "__main__":
    main()
