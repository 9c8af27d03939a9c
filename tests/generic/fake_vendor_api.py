#!/usr/bin/env python3
"""A fake ATS API speaking plain HTTP on 127.0.0.1: answers "METHOD /path?query" from a
routes file ({"GET /v1/jobs/7": "path/to/answer.json", ...}, paths relative to the routes
file's folder); anything else is 404. Prints its port on the first line of stdout.

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
        if length:
            self.rfile.read(length)
        target = routes.get(self.command + " " + self.path)
        if target is None or not (self.headers.get("Authorization") or self.headers.get("X-SmartToken")):
            self.send_response(404 if target is None else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": "not found"}')
            return
        with open(os.path.join(base, target), "rb") as f:
            data = f.read()
        if "_rewrite" in routes:
            here = "http://127.0.0.1:%d" % self.server.server_address[1]
            data = data.replace(routes["_rewrite"].encode(), here.encode())
        self.send_response(200)
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
