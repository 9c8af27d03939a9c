#!/usr/bin/env python3
"""The README's "Webcruiter in five minutes", run as written so that it cannot rot.

Usage: tour_test.py MANGFOLD_BINARY SOURCE_DIR

The tour's files (examples/webcruiter/ and the policies it extends) are copied into a
temporary tree with the same layout, so the config's relative paths (../../var/…) land in
the temporary tree; the only change is two free ports instead of 8790 and 8091. Then, as in
the README: start the fake Talentech API, `mangfold check`, `mangfold webcruiter probe`,
`mangfold serve`, and the manager's .eml appears. The scenario goes on (invitation, hire)
through the fake's control endpoint, and the probe is tried with wrong credentials and
with the API down.
"""

import email
import email.policy
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY, SOURCE = sys.argv[1], sys.argv[2]
CASE_URL = "https://demo.webcruiter.example/case/advert/4100000001"
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def run(*args):
    r = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def emails(mail_dir):
    out = []
    if os.path.isdir(mail_dir):
        for name in sorted(os.listdir(mail_dir)):
            if name.endswith(".eml"):
                with open(os.path.join(mail_dir, name), "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.default)
                parts = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
                out.append((str(msg["Subject"]), "\n".join(parts)))
    return out


def verdicts(db):
    if not os.path.exists(db):
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return [r[0] for r in c.execute(
                "SELECT overall FROM verdicts WHERE tenant='demo' ORDER BY rowid")]
    except sqlite3.Error:
        return []


def vacancy_status(db):
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            row = c.execute("SELECT status FROM vacancies WHERE tenant='demo' AND "
                            "vacancy_id='4100000001'").fetchone()
            return row[0] if row else None
    except sqlite3.Error:
        return None


def main():
    tmp = tempfile.mkdtemp(prefix="mangfold-tour-")
    procs = []
    try:
        shutil.copytree(os.path.join(SOURCE, "examples/webcruiter"),
                        os.path.join(tmp, "examples/webcruiter"))
        shutil.copytree(os.path.join(SOURCE, "policies"), os.path.join(tmp, "policies"))
        api_port, listen_port = free_port(), free_port()
        config = os.path.join(tmp, "examples/webcruiter/sync-demo.yaml")
        with open(config, encoding="utf-8") as f:
            text = f.read()
        check("127.0.0.1:8790" in text and "port: 8091" in text, "the demo config uses the tour's ports")
        with open(config, "w", encoding="utf-8") as f:
            f.write(text.replace("127.0.0.1:8790", f"127.0.0.1:{api_port}")
                        .replace("port: 8091", f"port: {listen_port}"))
        api = f"http://127.0.0.1:{api_port}"

        # 1. Start the fake Talentech API.
        fake = subprocess.Popen([sys.executable, os.path.join(tmp, "examples/webcruiter/fake_talentech.py"),
                                 "--port", str(api_port)], stdout=subprocess.PIPE, text=True)
        procs.append(fake)
        check("listening on" in fake.stdout.readline(), "the fake Talentech API starts")

        # 2. Check the config, then probe the connection (read-only).
        code, out = run("check", config)
        check(code == 0 and ": ok (service config, 1 tenants" in out, "mangfold check passes:\n" + out)
        code, out = run("webcruiter", "probe", "--config", config, "--tenant", "demo")
        print(out)
        check(code == 0, "probe exits 0")
        for line in ("ok    credentials (OAuth2 client credentials): accepted",
                     "ok    candidate statuses: 10 in Webcruiter, 10 mapped",
                     "ok    advert feed: 1 published advert",
                     "ok    hired candidates: 0 unprocessed hires",
                     "ok    vacancy 4100000001 «Rådgiver integrering – Flyktningtjenesten»: 3 applicants",
                     "ok    vacancy 4100000001: question 9001 (immigrant_background) is on the integration form",
                     "no problems"):
            check(line in out, "probe says: " + line)
        check("7001" not in out and "Kari" not in out, "probe prints no candidate id and no name")
        check(not os.path.exists(os.path.join(tmp, "var")), "probe stores nothing")

        # 3. Serve: no webhook, the feed names the vacancy, the API gives its applicants.
        server_log = open(os.path.join(tmp, "server.log"), "w")
        server = subprocess.Popen([BINARY, "serve", "--config", config],
                                  stdout=server_log, stderr=subprocess.STDOUT)
        procs.append(server)
        mail_dir = os.path.join(tmp, "var/webcruiter-demo/mail")
        db = os.path.join(tmp, "var/webcruiter-demo/mangfold.db")
        check(wait_for(lambda: "shortfall" in verdicts(db)), "a shortfall verdict is stored")
        got = wait_for(lambda: [m for m in emails(mail_dir) if CASE_URL in m[1]])
        check(bool(got), "an .eml appears and links to the case-handler view " + CASE_URL)
        if got:
            print("  subject:", got[0][0])
            check(all(c not in body for _, body in emails(mail_dir) for c in ("7001", "7002", "7003")),
                  "no email carries a candidate id")

        # 4. The ad leaves the feed; the invitation comes: resolved.
        urllib.request.urlopen(urllib.request.Request(api + "/_scenario/next", method="POST"), timeout=5)
        check(wait_for(lambda: "compliant" in verdicts(db)), "the invitation resolves it (compliant)")

        # 5. The hire: seen through the Hired Candidate API; the advert closes.
        urllib.request.urlopen(urllib.request.Request(api + "/_scenario/next", method="POST"), timeout=5)
        check(wait_for(lambda: vacancy_status(db) == "closed"), "the hire closes the vacancy")
        stats = json.load(urllib.request.urlopen(api + "/_stats", timeout=5))
        check(stats["requests"].get("candidates/hired", 0) >= 1, "the hired list was read")
        check(stats["requests"].get("hired-process", 0) == 0,
              "no hire was marked processed (hires.mark_processed: false)")
        server.terminate()
        server.wait(timeout=30)

        # 6. The probe fails loudly: wrong credentials, then the API down.
        with open(os.path.join(tmp, "examples/webcruiter/demo-secrets/client-secret"), "w") as f:
            f.write("wrong")
        code, out = run("webcruiter", "probe", "--config", config, "--tenant", "demo")
        check(code == 1 and "FAIL  credentials (OAuth2 client credentials)" in out
              and "does not work as configured" in out, "probe with wrong credentials exits 1:\n" + out)
        fake.terminate()
        fake.wait(timeout=10)
        code, out = run("webcruiter", "probe", "--config", config, "--tenant", "demo")
        check(code == 1 and "FAIL  the API cannot be reached" in out, "probe with the API down exits 1:\n" + out)
        code, out = run("webcruiter", "probe", "--config", config, "--tenant", "nobody")
        check(code == 2 and "no tenant 'nobody'" in out, "probe of an unknown tenant exits 2")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if failures:
            print("kept", tmp, "for inspection (server.log, var/)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
