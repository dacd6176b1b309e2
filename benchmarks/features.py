"""Sends the same random 10 km bbox item reads to Backstop's OGC API – Features and to pygeoapi
serving the same features, a few clients at a time, each server for the same number of seconds,
and prints latency percentiles, requests per second and the ratio. A measurement, not a test:
it asserts nothing (the machine, two cores, is shared by the clients and the server)."""
import argparse
import http.client
import json
import random
import statistics
import threading
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--backstop", required=True, help="Backstop's /ogc URL")
parser.add_argument("--token", required=True)
parser.add_argument("--pygeoapi", required=True)
parser.add_argument("--count", type=int, required=True, help="incidents stored (for the printout)")
parser.add_argument("--seconds", type=float, default=20, help="per server")
parser.add_argument("--clients", type=int, default=2)
parser.add_argument("--area", default="36.5,46.5,40.5,49.5")
parser.add_argument("--seed", type=int, default=5)
arguments = parser.parse_args()

west, south, east, north = map(float, arguments.area.split(","))
HALF_LAT = 5 / 111.0  # a 10 km box


def boxes(seed):
    generator = random.Random(seed)
    while True:
        lat = generator.uniform(south + HALF_LAT, north - HALF_LAT)
        half_lon = HALF_LAT / max(0.1, __import__("math").cos(__import__("math").radians(lat)))
        lon = generator.uniform(west + half_lon, east - half_lon)
        yield f"{lon - half_lon:.5f},{lat - HALF_LAT:.5f},{lon + half_lon:.5f},{lat + HALF_LAT:.5f}"


def run(name, url, headers):
    parsed = urllib.parse.urlparse(url)
    latencies, features, errors = [], [], []
    deadline = time.monotonic() + arguments.seconds
    lock = threading.Lock()

    def client(index):
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        generator = boxes(arguments.seed * 100 + index)
        while time.monotonic() < deadline:
            path = f"{parsed.path}/collections/incidents/items?f=json&limit=100&bbox={next(generator)}"
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - began
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
                returned = len(json.loads(body)["features"])
            except Exception as error:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(str(error))
                connection.close()
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
                continue
            with lock:
                latencies.append(elapsed)
                features.append(returned)

    # Warm both the same way: a few reads first, not measured.
    warm = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    for box, _ in zip(boxes(1), range(3)):
        warm.request("GET", f"{parsed.path}/collections/incidents/items?f=json&limit=100&bbox={box}", headers=headers)
        warm.getresponse().read()
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(arguments.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    if not latencies:
        print(f"{name:9s}: no successful request ({len(errors)} errors; first: {errors[:1]})")
        return None
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    rate = len(latencies) / wall
    print(f"{name:9s}: {len(latencies):6d} reads in {wall:5.1f} s, {rate:8.1f} req/s, p50 {p(0.50):8.1f} ms, p99 {p(0.99):8.1f} ms, "
          f"{statistics.mean(features):6.1f} features a page, {len(errors)} errors")
    return rate, p(0.99)


print(f"bbox reads of 10 km boxes on {arguments.count:,} incidents, {arguments.clients} clients, {arguments.seconds:.0f} s each")
ours = run("backstop", arguments.backstop, {"Authorization": f"Bearer {arguments.token}", "Accept": "application/geo+json"})
theirs = run("pygeoapi", arguments.pygeoapi, {"Accept": "application/geo+json"})
if ours and theirs:
    print(f"ratio: backstop serves {ours[0] / theirs[0]:.1f}× pygeoapi's requests per second; backstop p99 {ours[1]:.1f} ms (aim ≤ 20 ms)")
