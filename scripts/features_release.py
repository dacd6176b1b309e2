"""Makes the public's part of a throwaway demo server: verifies and releases to the public the
first incidents that have a location and a finding, as a mission would (an analyst proposes,
another person, a supervisor, confirms, a supervisor releases). Prints how many it released."""
import os
import sys

import backstop_api

BASE = os.environ["BACKSTOP_BASE"] + "/api/v1"
ANALYST = os.environ["BACKSTOP_ANALYST_TOKEN"]
SUPERVISOR = os.environ["BACKSTOP_SUPERVISOR_TOKEN"]
WANTED = int(sys.argv[1]) if len(sys.argv) > 1 else 8


def call(method, path, token, body=None):
    return backstop_api.call(BASE, method, path, token, body)


incidents = call("GET", "/incidents?limit=1000", ANALYST)["incidents"]
chosen = [i for i in incidents if i["location"] and i["findings"]][:WANTED]
for incident in chosen:
    path = f"/incidents/{incident['id']}"
    version = call("GET", path, ANALYST)["version"]
    call("POST", path + "/assessments", ANALYST, {"verdict": "verified", "note": "released for the OGC checks", "version": version})
    call("POST", path + "/assessments/1/confirm", SUPERVISOR, {"version": call("GET", path, SUPERVISOR)["version"]})
    call("POST", path + "/release", SUPERVISOR, {"level": "public", "version": call("GET", path, SUPERVISOR)["version"]})
print(len(chosen))
