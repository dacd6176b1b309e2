"""OGC API – Features as GIS clients read it: GDAL's OAPIF driver (ogrinfo, with and without a
-spat box), OWSLib, each compared with what the API's own listing gives the same caller.
Run by features-test.sh against a throwaway server; exits non-zero on the first mismatch."""
import json
import os
import re
import subprocess
import sys
import urllib.request

from owslib.ogcapi.features import Features

BASE = os.environ["BACKSTOP_BASE"]
STAFF = os.environ["BACKSTOP_STAFF_TOKEN"]
OGC = BASE + "/ogc"
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def listing(token, **filters):
    """Every incident id the API's listing shows this caller (paged)."""
    ids, cursor = [], ""
    while True:
        query = "&".join([f"{k}={v}" for k, v in filters.items()] + ["limit=1000"] + ([f"cursor={cursor}"] if cursor else []))
        request = urllib.request.Request(f"{BASE}/api/v1/incidents?{query}")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        page = json.load(urllib.request.urlopen(request))
        ids += [incident["id"] for incident in page["incidents"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def ogrinfo(token, *arguments):
    environment = dict(os.environ)
    environment.pop("GDAL_HTTP_HEADERS", None)
    if token:
        environment["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    result = subprocess.run(["ogrinfo", "-ro", *arguments], capture_output=True, text=True, env=environment, timeout=300)
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        sys.exit(f"FAIL: ogrinfo {' '.join(arguments)} exited {result.returncode}")
    return result.stdout


def gdal_ids(token, layer, *arguments):
    output = ogrinfo(token, "-al", *arguments, f"OAPIF:{OGC}", layer)
    return re.findall(r"^\s+id \(String\) = (\S+)$", output, re.MULTILINE)


# ---- GDAL ------------------------------------------------------------------------------------
layers = ogrinfo(None, f"OAPIF:{OGC}")
check("incidents" in layers and "findings" in layers and "observations" not in layers,
      "GDAL lists incidents and findings to the public, not observations")
check("observations" in ogrinfo(STAFF, f"OAPIF:{OGC}"), "GDAL lists observations to a token of the mission")

public = listing(None)
check(len(public) > 0, f"the public sees {len(public)} released incidents")
check(sorted(gdal_ids(None, "incidents")) == sorted(public), "GDAL reads exactly the incidents the public listing shows")

staff = listing(STAFF)
summary = ogrinfo(STAFF, "-so", f"OAPIF:{OGC}", "incidents")
count = int(re.search(r"Feature Count: (\d+)", summary).group(1))
check(count == len(staff), f"GDAL counts {count} incidents for the staff, as their listing ({len(staff)})")

# A box around part of the features: -spat is sent to the server as bbox.
extent = re.search(r"Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)", summary)
west, south, east, north = map(float, extent.groups())
box = [west, south, (west + east) / 2, (south + north) / 2]
boxed = listing(STAFF, bbox=",".join(map(str, box)))
check(0 < len(boxed) < len(staff), f"the box holds {len(boxed)} of the staff's {len(staff)} incidents")
check(sorted(gdal_ids(STAFF, "incidents", "-spat", *map(str, box))) == sorted(boxed),
      "ogrinfo -spat reads exactly the incidents the listing shows for that bbox")

# ---- OWSLib ----------------------------------------------------------------------------------
anonymous = Features(OGC)
check({c["id"] for c in anonymous.collections()["collections"]} == {"incidents", "findings"},
      "OWSLib: the public's collections are incidents and findings")
check("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in anonymous.conformance()["conformsTo"],
      "OWSLib: core conformance is declared")
items = anonymous.collection_items("incidents", limit=10000)
check(sorted(f["id"] for f in items["features"]) == sorted(public) and items["numberMatched"] == len(public),
      "OWSLib reads the public's incidents, numberMatched included")
mission = Features(OGC, headers={"Authorization": f"Bearer {STAFF}"})
check({c["id"] for c in mission.collections()["collections"]} == {"incidents", "findings", "observations"},
      "OWSLib with a token: observations too")
page = mission.collection_items("incidents", bbox=box, limit=10000)
check(sorted(f["id"] for f in page["features"]) == sorted(boxed), "OWSLib's bbox query gives the listing's incidents for that bbox")
one = mission.collection_item("incidents", boxed[0])
check(one["id"] == boxed[0] and one["geometry"]["type"] == "Point", "OWSLib reads one incident by its id")
observations = mission.collection_items("observations", limit=5)
check(len(observations["features"]) == 5 and any(link["rel"] == "next" for link in observations["links"]),
      "OWSLib pages observations (5 and a next link)")

# ---- Paging by the next links, as any client follows them --------------------------------------
def follow(url):
    ids, matched = [], None
    while url:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {STAFF}", "Accept": "application/geo+json"})
        page = json.load(urllib.request.urlopen(request))
        ids += [feature["id"] for feature in page["features"]]
        matched = page.get("numberMatched", matched)
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return ids, matched


for collection in ("incidents", "findings"):
    ids, matched = follow(f"{OGC}/collections/{collection}/items?limit=7")
    check(len(ids) == len(set(ids)) == matched and matched > 7,
          f"{collection}: pages of 7 by the next links give each of the {matched} features once")

print(f"{checks} passed, 0 failed")
