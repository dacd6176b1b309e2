#!/usr/bin/env python3
"""Measures how many observations per second a running Backstop server stores, and how long
its incidents then take to catch up.

Baseline and subject run against the same server in the same run: single-observation POSTs
from one client (the baseline), then from 16 clients at once (as a sensor network posts; the
SQLite store commits concurrent requests together), then batches of 1,000 sequentially and
from several clients at once.
Every observation is new, so each one is validated, hashed and committed with fsync.
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
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/api/v1/observations", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit("unexpected status %d" % response.status)
    connection.close()


def run(url, token, bodies, per_observation, clients):
    chunks = [bodies[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda chunk: post(url, token, chunk), chunks))
    elapsed = time.perf_counter() - start
    return len(bodies) * per_observation / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--single-clients", type=int, default=16,
                        help="clients posting one observation at a time, at once (a sensor network); SQLite commits them together")
    args = parser.parse_args()

    singles = [json.dumps(observation(i)) for i in range(args.singles)]
    concurrent_singles = [json.dumps(observation(i)) for i in range(args.singles * 4)]
    batches = [json.dumps({"observations": [observation(i) for i in range(args.batch_size)]}) for _ in range(args.batches)]
    more_batches = [json.dumps({"observations": [observation(i) for i in range(args.batch_size)]}) for _ in range(args.batches)]

    baseline = run(args.url, args.token, singles, 1, 1)
    many_singles = run(args.url, args.token, concurrent_singles, 1, args.single_clients)
    sequential = run(args.url, args.token, batches, args.batch_size, 1)
    concurrent = run(args.url, args.token, more_batches, args.batch_size, args.clients)
    print("single POSTs, 1 client:        %8.0f observations/s (baseline)" % baseline)
    print("single POSTs, %d clients:      %8.0f observations/s  (x%.1f baseline)" % (args.single_clients, many_singles, many_singles / baseline))
    print("batches of %d, 1 client:     %8.0f observations/s  (x%.1f baseline)" % (args.batch_size, sequential, sequential / baseline))
    print("batches of %d, %d clients:    %8.0f observations/s  (x%.1f baseline)" % (args.batch_size, args.clients, concurrent, concurrent / baseline))
    # Incidents are fused after the acknowledgement. A read of incidents waits at most 10 s and
    # then answers from the last consistent state with Backstop-Incidents-Behind; reading until
    # that header is gone measures how far fusion and compliance trail the intake.
    total = args.singles * 5 + 2 * args.batches * args.batch_size
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
    lag = time.perf_counter() - start
    print("incidents current %.1f s after the last acknowledgement (%d observations fused and checked; %d reads, the last status %d%s)"
          % (lag, total, reads, response.status, "" if behind is None else ", still %s behind" % behind))

if __name__ == "__main__":
    main()
