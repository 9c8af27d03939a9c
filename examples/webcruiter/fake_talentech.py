#!/usr/bin/env python3
"""A fake Talentech (Webcruiter) API for demos and the README tour. Standard library only.

It speaks the endpoints Talentech documents for integrators, with invented data:

  POST /token                               OAuth2 client credentials (Basic or form body)
  GET  /candidates?advertId=…&candidateStatusId=…&page=N
                                            candidates of one recruitment process, paged
  GET  /candidates/statuses                 the customer's CandidateStatusIds
  GET  /candidates/{id}                     one candidate (no personal data here: ids only)
  GET  /candidates/{id}/custom-data         the integration form's answers
  GET  /candidates/hired?isProcessed=false  unprocessed hires (per API client)
  POST /candidates/hired/{id}/process       mark a hire processed
  GET  /adverts/{advertId}                  the advert (the connector's default advert path)
  GET  /processes                           open recruitment processes (NOT a documented
                                            Talentech endpoint: a stand-in for the
                                            configurable adapter_options.api.paths.processes)
  GET  /feed.xml                            the public advert feed (RSS 2.0, wc: namespace)

and, for scripts, two control endpoints that a real API does not have:

  POST /_scenario/next                      advance the scenario one step
  GET  /_stats                              {"step": n, "requests": {kind: count}}

The scenario (one vacancy, Oslo-style rule "invite at least one qualified applicant with
immigrant background"):
  step 0  the ad is in the feed; applicant 7001 (answered yes, qualified) is not invited,
          7002 (answered no) is: a shortfall, so the manager gets an email;
  step 1  the ad has left the feed (deadline passed); 7001 is invited: resolved;
  step 2  7002 is hired and the advert is closed; the hire is in the Hired Candidate API.

Usage: fake_talentech.py [--port 8790] [--advance-every SECONDS] [--token-lifetime SECONDS]
The chosen port is printed as "listening on http://127.0.0.1:PORT" (use --port 0 for any).
"""

import argparse
import base64
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "mangfold-demo"
CLIENT_SECRET = "demo-secret"  # examples/webcruiter/secrets/client-secret holds the same
ADVERT_ID = "4100000001"
COMPANY_ID = "2100000001"
QUESTION = 9001

STATUSES = [
    (1, "Registrert"), (2, "Kvalifisert"), (3, "Ikke kvalifisert"),
    (4, "Innkalt til intervju"), (5, "Intervjuet"), (6, "Innstilt"),
    (7, "Tilbud sendt"), (8, "Ansatt"), (9, "Avslag"), (10, "Trukket"),
]

AD_BODY = ("<p>Flyktningtjenesten i Eksempel kommune søker en rådgiver til arbeid med "
           "bosetting og introduksjonsprogram.</p><p>Vi oppfordrer kvalifiserte kandidater med "
           "innvandrerbakgrunn til å søke stillingen.</p><h3>Slik søker du</h3>"
           "<p>Søk via lenken under.</p>")


class Scenario:
    def __init__(self):
        self.lock = threading.Lock()
        self.step = 0
        self.processed = set()  # hires marked processed by our (only) API client
        self.counts = {}

    def count(self, kind):
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def advance(self):
        with self.lock:
            self.step = min(self.step + 1, 2)
            return self.step

    def state(self):
        with self.lock:
            step = self.step
        status_7001 = 2 if step == 0 else 4
        status_7002 = 4 if step < 2 else 8
        return {
            "in_feed": step == 0,
            "closed": step >= 2,
            "candidates": [
                {"CandidateId": 7001, "AdvertId": int(ADVERT_ID), "CandidateStatusId": status_7001},
                {"CandidateId": 7002, "AdvertId": int(ADVERT_ID), "CandidateStatusId": status_7002},
                {"CandidateId": 7003, "AdvertId": int(ADVERT_ID), "CandidateStatusId": 3},
            ],
            "answers": {7001: "Ja", 7002: "Nei", 7003: "Ja"},
            "hired": [7002] if step >= 2 else [],
        }


def advert(closed):
    return {
        "AdvertId": ADVERT_ID,
        "CompanyId": COMPANY_ID,
        "title": "Rådgiver integrering – Flyktningtjenesten",
        "link": "https://www.webcruiter.no/wcmain/advertviewpublic.aspx?oppdragsnr="
                + ADVERT_ID + "&company_id=9100",
        "company_name": "Flyktningtjenesten",
        "Culture_Id": "NB-NO",
        "apply_within_date": "2026-10-24",
        "WePubDateFrom": "2026-10-03",
        "JOB_TYPE_COLLECTION": {"Item": ["Fast"]},
        "CONTACTINFO": {"Contact": [{"Name": "Kari Eksempel", "Title": "Enhetsleder",
                                     "Email": "kari.eksempel@example.org"}]},
        "IsClosed": closed,
        "description": AD_BODY,
    }


def feed_xml(in_feed):
    items = ""
    if in_feed:
        a = advert(False)
        items = f"""    <item>
      <title>{a['title']}</title>
      <link>{a['link'].replace('&', '&amp;')}</link>
      <wc:AdvertId>{ADVERT_ID}</wc:AdvertId>
      <wc:CompanyId>{COMPANY_ID}</wc:CompanyId>
      <description>{AD_BODY.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</description>
      <wc:apply_within_date>2026-10-24</wc:apply_within_date>
      <wc:company_name>Flyktningtjenesten</wc:company_name>
      <wc:Culture_Id>NB-NO</wc:Culture_Id>
      <wc:WePubDateFrom>2026-10-03</wc:WePubDateFrom>
      <wc:JOB_TYPE_COLLECTION><wc:Item>Fast</wc:Item></wc:JOB_TYPE_COLLECTION>
      <wc:CONTACTINFO><Contact><Name>Kari Eksempel</Name><Title>Enhetsleder</Title><Email>kari.eksempel@example.org</Email></Contact></wc:CONTACTINFO>
    </item>
"""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wc="http://webcruiter.no/xml/" version="2.0">
  <channel>
    <title>WebCruiter.no</title>
    <link>https://www.webcruiter.no/wcmain/advertviewpublic.aspx?company_id=9100</link>
    <description>WebCruiter.no</description>
    <language>NO</language>
    <wc:culture_id>NB-NO</wc:culture_id>
{items}  </channel>
</rss>
"""


class Tokens:
    def __init__(self, lifetime):
        self.lock = threading.Lock()
        self.lifetime = lifetime
        self.valid = {}  # token -> expiry (monotonic seconds)
        self.issued = 0

    def issue(self):
        with self.lock:
            self.issued += 1
            token = f"demo-token-{self.issued}"
            self.valid[token] = time.monotonic() + self.lifetime
            return token

    def check(self, token):
        with self.lock:
            expiry = self.valid.get(token)
            return expiry is not None and time.monotonic() < expiry


PAGE_SIZE = 2


def make_handler(scenario, tokens):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeTalentech/1"

        def log_message(self, fmt, *args):  # quiet: the tour reads the connector's output
            pass

        def send_json(self, status, body):
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_text(self, status, text, content_type="text/plain; charset=utf-8"):
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n).decode("utf-8", "replace") if n else ""

        def authorized(self):
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer ") and tokens.check(auth[7:]):
                return True
            self.send_json(401, {"error": "invalid_token"})
            return False

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            if url.path == "/token":
                scenario.count("token")
                form = urllib.parse.parse_qs(self.body())
                cid, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    try:
                        pair = base64.b64decode(auth[6:]).decode("utf-8")
                        cid, secret = (urllib.parse.unquote_plus(x) for x in pair.split(":", 1))
                    except (ValueError, UnicodeDecodeError):
                        cid = secret = ""
                if form.get("grant_type", [""])[0] != "client_credentials":
                    return self.send_json(400, {"error": "unsupported_grant_type"})
                if (cid, secret) != (CLIENT_ID, CLIENT_SECRET):
                    return self.send_json(401, {"error": "invalid_client"})
                return self.send_json(200, {"access_token": tokens.issue(), "token_type": "Bearer",
                                            "expires_in": tokens.lifetime})
            if url.path == "/_scenario/next":
                return self.send_json(200, {"step": scenario.advance()})
            if len(parts) == 4 and parts[:2] == ["candidates", "hired"] and parts[3] == "process":
                scenario.count("hired-process")
                if not self.authorized():
                    return None
                self.body()
                state = scenario.state()
                if not parts[2].isdigit() or int(parts[2]) not in state["hired"]:
                    return self.send_json(404, {"error": "not a hired candidate"})
                with scenario.lock:
                    scenario.processed.add(int(parts[2]))
                return self.send_json(200, {"processed": True})
            return self.send_json(404, {"error": "not found"})

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            parts = [p for p in url.path.split("/") if p]
            state = scenario.state()
            if url.path == "/_stats":
                with scenario.lock:
                    return self.send_json(200, {"step": scenario.step,
                                                "requests": dict(scenario.counts)})
            if url.path == "/feed.xml":  # public: no credentials
                scenario.count("feed")
                return self.send_text(200, feed_xml(state["in_feed"]),
                                      "application/rss+xml; charset=utf-8")
            kind = "/".join(parts[:2]) if parts else ""
            if parts[:1] == ["adverts"]:
                kind = "advert"
            elif len(parts) == 3 and parts[2] == "custom-data":
                kind = "custom-data"
            scenario.count(kind or "root")
            if not self.authorized():
                return None
            if parts == ["adverts", ADVERT_ID]:
                return self.send_json(200, advert(state["closed"]))
            if parts[:1] == ["adverts"]:
                return self.send_json(404, {"error": "no such advert"})
            if parts == ["processes"]:
                open_ = [] if state["closed"] else [{"AdvertId": ADVERT_ID, "IsClosed": False}]
                return self.send_json(200, {"Processes": open_})
            if parts == ["candidates", "statuses"]:
                return self.send_json(200, [{"Id": i, "Name": n} for i, n in STATUSES])
            if parts == ["candidates", "hired"]:
                want_processed = query.get("isProcessed", [""])[0].lower()
                with scenario.lock:
                    processed = set(scenario.processed)
                hires = [{"CandidateId": c, "AdvertId": ADVERT_ID, "HiredDate": "2026-11-20"}
                         for c in state["hired"]
                         if want_processed == "" or (c in processed) == (want_processed == "true")]
                return self.send_json(200, {"HiredCandidates": hires})
            if parts == ["candidates"]:
                process = (query.get("advertId") or query.get("processId") or [""])[0]
                status = (query.get("candidateStatusId") or [""])[0]
                rows = [c for c in state["candidates"]
                        if str(c["AdvertId"]) == process
                        and (not status or str(c["CandidateStatusId"]) == status)]
                page = int((query.get("page") or ["1"])[0] or 1)
                total = max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)
                return self.send_json(200, {
                    "Candidates": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                    "Page": page, "PageSize": PAGE_SIZE, "TotalPages": total})
            if len(parts) >= 2 and parts[0] == "candidates" and parts[1].isdigit():
                cid = int(parts[1])
                match = [c for c in state["candidates"] if c["CandidateId"] == cid]
                if not match:
                    return self.send_json(404, {"error": "no such candidate"})
                if len(parts) == 2:
                    return self.send_json(200, match[0])
                if len(parts) == 3 and parts[2] == "custom-data":
                    return self.send_json(200, [{"QuestionId": QUESTION,
                                                 "Answer": state["answers"][cid]}])
            return self.send_json(404, {"error": "not found"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--advance-every", type=float, default=0,
                        help="advance the scenario every N seconds (0: only POST /_scenario/next)")
    parser.add_argument("--token-lifetime", type=int, default=3600)
    args = parser.parse_args()
    scenario = Scenario()
    tokens = Tokens(args.token_lifetime)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(scenario, tokens))
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    if args.advance_every > 0:
        def advance():
            while scenario.step < 2:
                time.sleep(args.advance_every)
                print(f"scenario step {scenario.advance()}", flush=True)
        threading.Thread(target=advance, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
