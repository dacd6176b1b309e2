#!/usr/bin/env python3
"""Measures how many observations per second a running Backstop server stores, and how long
its incidents then take to catch up.

Phases, each against the same server in the same run, every observation new (validated,
resolved, hashed and committed with fsync):
  1. single-observation POSTs from one client (the baseline of the single POSTs);
  2. the same from 16 clients at once (a sensor network; the SQLite store commits them together);
  3. batches of 1,000 of the benchmark's own records (absolute points in one small area);
  4. batches of 1,000 of records as monitors file them (--records: the simulator's, with
     bearings and distance bands, place phrases and points, spread over the front and a year);
  5. the same from several clients at once.
Every phase's observations take consecutive store sequences (the store was empty before), so
--results names each phase's range: benchmarks/ingest.sh inserts exactly those rows into the
same schema through SQLite's C API (the ceiling) and prints Backstop's rate as its ratio.
"""
import argparse, concurrent.futures, http.client, json, time, uuid, urllib.parse


def observation(i):
    return {
        "id": str(uuid.uuid4()), "kind": "explosion", "subkind": "impact", "count": 1 + i % 9,
        "observed_at": "2021-03-01T%02d:%02d:00Z" % (i // 60 % 24, i % 60), "modality": "heard",
        "observer": {"lat": 48.14, "lon": 37.75, "accuracy_m": 20},
        "location": {"lat": 48.0 + (i % 100) / 1000, "lon": 37.7 + (i % 77) / 1000, "accuracy_m": 300},
        "grading": {"source_reliability": "B", "information_credibility": 2},
    }


def post(url, token, bodies):
    parts = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/api/v1/observations", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read()
        if response.status != 201:
            raise SystemExit("unexpected status %d: %s" % (response.status, text[:2000]))
    connection.close()


class Phases:
    def __init__(self, url, token):
        self.url, self.token, self.stored, self.results = url, token, 0, []

    def run(self, name, bodies, per_body, clients):
        chunks = [bodies[i::clients] for i in range(clients)]
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda chunk: post(self.url, self.token, chunk), chunks))
        elapsed = time.perf_counter() - start
        count = len(bodies) * per_body
        self.results.append({"phase": name, "rate": count / elapsed, "first_seq": self.stored + 1, "last_seq": self.stored + count,
                             "batch_size": per_body, "clients": clients})
        self.stored += count
        return count / elapsed


def monitor_records(path, count):
    """The first `count` records of an NDJSON file, each under a new id (a rerun stores them again)."""
    records = []
    with open(path) as handle:
        for line in handle:
            if len(records) == count:
                break
            record = json.loads(line)
            record["id"] = str(uuid.uuid4())
            records.append(record)
    if len(records) < count:
        raise SystemExit("%s holds %d records; %d are needed" % (path, len(records), count))
    return records


def flood(args):
    """Five patrols hear an explosion, then one camera reports --flood explosions at that place
    within a minute, in batches; then how long until the incidents are current."""
    tokens = args.patrol_tokens.split(",")
    start = "2021-03-01T21:30:%02d.000Z"
    for index, token in enumerate(tokens):
        record = {"id": str(uuid.uuid4()), "kind": "explosion", "count": 3, "observed_at": start % (index * 5), "modality": "heard",
                  "location": {"lat": 48.1 + index / 1000, "lon": 37.8, "accuracy_m": 500}}
        post(args.url, token, [json.dumps(record)])
    camera = [{"id": str(uuid.uuid4()), "kind": "explosion", "count": 1, "observed_at": start % (i % 60), "modality": "camera",
               "time_precision": "exact", "location": {"lat": 48.1, "lon": 37.8, "accuracy_m": 200}} for i in range(args.flood)]
    bodies = [json.dumps({"observations": camera[i:i + args.batch_size]}) for i in range(0, len(camera), args.batch_size)]
    began = time.perf_counter()
    post(args.url, args.token, bodies)
    acknowledged = time.perf_counter()
    lag, reads, status, behind = incidents_lag(args)
    print("a flood at one place: %d camera records after %d patrols' at %.0f observations/s; incidents current %.1f s after the last acknowledgement (%d reads, the last status %d%s)"
          % (args.flood, len(tokens), args.flood / (acknowledged - began), lag, reads, status, "" if behind is None else ", still %s behind" % behind))
    if args.results:
        with open(args.results, "w") as handle:
            json.dump({"flood": args.flood, "rate": args.flood / (acknowledged - began), "incidents_current_after_s": lag}, handle)


def incidents_lag(args):
    """Incidents are fused after the acknowledgement. A read of incidents waits at most 10 s
    and then answers from the last consistent state with Backstop-Incidents-Behind; reading
    until that header is gone measures how far fusion and compliance trail the intake."""
    start = time.perf_counter()
    parts = urllib.parse.urlparse(args.url)
    reads = 0
    while True:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        connection.request("GET", "/api/v1/incidents?limit=1", headers={"Authorization": "Bearer " + args.token})
        response = connection.getresponse()
        response.read()
        behind = response.getheader("Backstop-Incidents-Behind")
        reads += 1
        connection.close()
        if response.status != 200 or behind is None or time.perf_counter() - start > 3600:
            break
    return time.perf_counter() - start, reads, response.status, behind


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--single-clients", type=int, default=16,
                        help="clients posting one observation at a time, at once (a sensor network); SQLite commits them together")
    parser.add_argument("--records", help="NDJSON of records as monitors file them (e.g. the simulator's observations.ndjson)")
    parser.add_argument("--results", help="write each phase's rate and store sequence range here (JSON)")
    parser.add_argument("--flood", type=int, help="instead: a flood of this many camera records at one place (see flood())")
    parser.add_argument("--patrol-tokens", help="with --flood: comma-separated tokens of the patrols heard first")
    args = parser.parse_args()
    if args.flood:
        flood(args)
        return

    size = args.batch_size
    singles = [json.dumps(observation(i)) for i in range(args.singles)]
    concurrent_singles = [json.dumps(observation(i)) for i in range(args.singles * 4)]
    batches = [json.dumps({"observations": [observation(i) for i in range(size)]}) for _ in range(args.batches)]
    phases = Phases(args.url, args.token)
    baseline = phases.run("single POSTs, 1 client", singles, 1, 1)
    many_singles = phases.run("single POSTs, %d clients" % args.single_clients, concurrent_singles, 1, args.single_clients)
    print("single POSTs, 1 client:                 %8.0f observations/s (baseline)" % baseline)
    print("single POSTs, %2d clients:               %8.0f observations/s (x%.1f baseline)" % (args.single_clients, many_singles, many_singles / baseline))
    sequential = phases.run("batches of %d, points in one area, 1 client" % size, batches, size, 1)
    print("batches of %d, points in one area:    %8.0f observations/s (x%.1f baseline)" % (size, sequential, sequential / baseline))
    if args.records:
        records = monitor_records(args.records, 2 * args.batches * size)
        first = [json.dumps({"observations": records[i:i + size]}) for i in range(0, args.batches * size, size)]
        second = [json.dumps({"observations": records[i:i + size]}) for i in range(args.batches * size, 2 * args.batches * size, size)]
        monitors = phases.run("batches of %d, monitors' records, 1 client" % size, first, size, 1)
        monitors_concurrent = phases.run("batches of %d, monitors' records, %d clients" % (size, args.clients), second, size, args.clients)
        print("batches of %d, monitors' records:     %8.0f observations/s (x%.1f baseline)" % (size, monitors, monitors / baseline))
        print("batches of %d, monitors', %d clients:  %8.0f observations/s (x%.1f baseline)" % (size, args.clients, monitors_concurrent, monitors_concurrent / baseline))
    lag, reads, status, behind = incidents_lag(args)
    print("incidents current %.1f s after the last acknowledgement (%d observations fused and checked; %d reads, the last status %d%s)"
          % (lag, phases.stored, reads, status, "" if behind is None else ", still %s behind" % behind))
    if args.results:
        with open(args.results, "w") as handle:
            json.dump({"phases": phases.results, "incidents_current_after_s": lag, "observations": phases.stored}, handle)


if __name__ == "__main__":
    main()
