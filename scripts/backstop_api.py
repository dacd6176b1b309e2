"""The one way the test scripts call Backstop's API: JSON in and out, a bearer token."""
import json
import urllib.request


def call(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    return json.load(urllib.request.urlopen(request))
