#!/usr/bin/env python3
"""A fake ATS API speaking plain HTTP on 127.0.0.1: answers "METHOD /path?query" from a
routes file ({"GET /v1/jobs/7": "path/to/answer.json", ...}, paths relative to the routes
file's folder); anything else is 404. Prints its port on the first line of stdout.

A route may also be {"file": ..., "headers": {...}} (response headers, e.g. a Link header),
or a list of such objects with "body_has": the first whose text occurs in the request body
answers (RPC-style APIs that page by a cursor in the body). "_rewrite" (in the routes) is
replaced by this server's origin in answers and headers.

Usage: fake_vendor_api.py ROUTES_JSON
"""
import http.server
import json
import os
import sys

routes_file = sys.argv[1]
base = os.path.dirname(os.path.abspath(routes_file))
with open(routes_file, encoding="utf-8") as f:
    routes = json.load(f)


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        request_body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        target = routes.get(self.command + " " + self.path)
        extra_headers = {}
        if isinstance(target, list):
            target = next((t for t in target if t.get("body_has", "") in request_body), None)
        if isinstance(target, dict):
            extra_headers = target.get("headers", {})
            target = target["file"]
        if target is None or not (self.headers.get("Authorization") or self.headers.get("X-SmartToken")):
            self.send_response(404 if target is None else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": "not found"}')
            return
        with open(os.path.join(base, target), "rb") as f:
            data = f.read()
        here = "http://127.0.0.1:%d" % self.server.server_address[1]
        if "_rewrite" in routes:
            data = data.replace(routes["_rewrite"].encode(), here.encode())
        self.send_response(200)
        for name, value in extra_headers.items():
            if "_rewrite" in routes:
                value = value.replace(routes["_rewrite"], here)
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
