#!/usr/bin/python3
"""Fault drills for the real `mangfold serve` (`make soak`; docs/reliability.md, "Fault drills").

Each drill starts the binary with a generated configuration in a temporary folder, drives it
as an ATS would (signed events, unique webhook ids, retrying every non-2xx answer and every
connection error), breaks something on purpose and then checks the drill's promise against the
database and against what a real SMTP server (tests/notify/smtp_server.py, aiosmtpd) received:

  kill      kill -9 the server N times under load from two clients
  smtp      the SMTP server down, then back
  api       the ATS's Candidate API down (thin events, reconcile), then back
  disk      the data folder's file system full (ENOSPC), then space again
  lock      the database locked by another process, then released

Network: loopback only (127.0.0.1). Every loop is bounded in count and in time; the whole run
takes about ten minutes. Figures are printed as the drills go, a table at the end; the exit
status is 1 when any drill's promise was broken.

Python 3 standard library plus aiosmtpd (Debian python3-aiosmtpd, through smtp_server.py).
Run as root for the disk drill (it mounts a small tmpfs); without the right to mount it uses
RLIMIT_FSIZE instead and says so.
"""
import argparse
import base64
import collections
import email.parser
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"  # the Debian interpreter, which has python3-aiosmtpd
SECRET = "whsec_" + base64.b64encode(b"mangfold-soak-drill-secret-32by").decode()
API_KEY = "soak-api-key-0123456789"
WC_KEY_HEX = "00112233445566778899aabbccddeeff"
MAIL_DOMAIN = "soak.example.no"
HOST = "127.0.0.1"


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------
# Signing, as the ATS does it.

def standard_webhooks_headers(event_id, body):
    key = base64.b64decode(SECRET[len("whsec_"):])
    ts = str(int(time.time()))
    mac = hmac.new(key, b"%s.%s.%s" % (event_id.encode(), ts.encode(), body), hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": ts,
        "webhook-signature": "v1," + base64.b64encode(mac.digest()).decode(),
    }


def talentech_headers(body):
    mac = hmac.new(bytes.fromhex(WC_KEY_HEX), body, hashlib.sha256)
    return {"Content-Type": "application/json",
            "X-Signature-Base64HmacSha256": base64.b64encode(mac.digest()).decode()}


def post(port, path, body, headers, timeout=30.0):
    """(status or None, seconds, body text or error)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        return r.status, time.monotonic() - started, text
    except (OSError, http.client.HTTPException) as e:
        return None, time.monotonic() - started, type(e).__name__
    finally:
        conn.close()


def get(port, path, timeout=5.0):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return None, type(e).__name__
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------
# Events.

AD = ("<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke "
      "stillingen.</p>")


def native_event(vacancy, candidate, stage):
    """Oslo's rule: a qualified applicant with immigrant background must be invited. The
    candidate of this event is one; `stage` applied gives a shortfall, interview an ok."""
    return json.dumps({
        "vacancy": {"id": vacancy, "title": "Soak drill " + vacancy,
                    "manager": {"name": "Soak Manager",
                                "email": "manager-%s@oslo.example.no" % vacancy},
                    "ad": {"language": "nb", "body": AD}},
        "applications": [
            {"candidate_id": "o-" + vacancy, "stage": "interview",
             "qualification": "qualified", "answers": {"immigrant_background": "no"}},
            {"candidate_id": candidate, "stage": stage, "qualification": "qualified",
             "answers": {"immigrant_background": "yes"}},
        ],
    }).encode()


class Client(threading.Thread):
    """An ATS: posts events with unique webhook ids, retrying each until it gets a 2xx or
    the hard deadline passes. Stops starting new events once `stop_new` is set."""

    def __init__(self, name, port_of, vacancies, stop_new, hard_deadline, pause=0.0):
        super().__init__(daemon=True)
        self.name_ = name
        self.port_of = port_of
        self.vacancies = vacancies
        self.stop_new = stop_new
        self.hard_deadline = hard_deadline
        self.pause = pause
        self.rng = random.Random(name)
        self.sent = {}        # event id -> (vacancy, candidate, stage)
        self.acked = {}       # event id -> "accepted" or "duplicate"
        self.unacked = []     # gave up at the hard deadline
        self.answers = collections.Counter()  # status (or error name) -> count
        self.refused = []     # (event id, status, body) for answers an ATS would not retry
        self.max_seconds = 0.0
        self.details = collections.Counter()  # "detail" of each 5xx answer's JSON body

    def run(self):
        n = 0
        while not self.stop_new.is_set() and time.monotonic() < self.hard_deadline:
            n += 1
            event_id = "%s-%d" % (self.name_, n)
            # Half on a few vacancies both clients share, half on vacancies of its own that
            # change every four events: each new vacancy plans its own emails.
            if self.rng.random() < 0.5:
                vacancy = "v%02d" % self.rng.randrange(self.vacancies)
            else:
                vacancy = "v-%s-%d" % (self.name_, n // 4)
            stage = self.rng.choice(["applied", "interview"])
            candidate = "g-" + event_id
            self.sent[event_id] = (vacancy, candidate, stage)
            body = native_event(vacancy, candidate, stage)
            while True:
                status, seconds, text = post(self.port_of(), "/hooks/oslo", body,
                                             standard_webhooks_headers(event_id, body))
                self.max_seconds = max(self.max_seconds, seconds)
                self.answers[status if status is not None else "conn_error"] += 1
                if status is not None and 200 <= status < 300:
                    self.acked[event_id] = json.loads(text).get("status", "?")
                    break
                if status is not None and status >= 500:
                    try:
                        self.details[json.loads(text).get("detail", "")[:80]] += 1
                    except ValueError:
                        self.details["(not JSON) " + text[:60]] += 1
                if status is not None and 400 <= status < 500 and status != 429:
                    self.refused.append((event_id, status, text[:200]))
                if time.monotonic() >= self.hard_deadline:
                    self.unacked.append(event_id)
                    break
                time.sleep(0.05 + self.rng.random() * 0.1)
            if self.pause:
                time.sleep(self.pause)


def run_clients(port_of, vacancies=40, hard=120.0, pause=0.0, names=("a", "b")):
    """Starts two clients; returns (clients, stop_new event)."""
    stop_new = threading.Event()
    deadline = time.monotonic() + hard
    clients = [Client(n, port_of, vacancies, stop_new, deadline, pause) for n in names]
    for c in clients:
        c.start()
    return clients, stop_new


def merged(clients, field):
    out = {}
    for c in clients:
        out.update(getattr(c, field))
    return out


def answers_of(clients):
    total = collections.Counter()
    for c in clients:
        total.update(c.answers)
    return total


# ---------------------------------------------------------------------------------------
# Processes: the connector and the SMTP server.

class Smtp:
    """tests/notify/smtp_server.py on a fixed port, so that it can be stopped and started."""

    def __init__(self, folder, port):
        self.folder = folder
        self.port = port
        self.proc = None
        os.makedirs(folder, exist_ok=True)

    def start(self):
        # A folder per start: smtp_server.py numbers its files from 1 in each process.
        self.starts = getattr(self, "starts", 0) + 1
        run = os.path.join(self.folder, "run%d" % self.starts)
        out = os.path.join(run, "server.out")
        os.makedirs(run)
        for _ in range(100):  # the port may still be held for a moment after a stop
            with open(out, "w") as f:
                self.proc = subprocess.Popen(
                    [PYTHON, os.path.join(ROOT, "tests/notify/smtp_server.py"), "--folder",
                     run, "--port", str(self.port)], stdout=f, stderr=subprocess.STDOUT)
            for _ in range(100):
                if "PORT " in open(out).read():
                    return
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            self.stop()
            time.sleep(0.2)
        raise RuntimeError("the SMTP server did not start: " + open(out).read()[-500:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def received(self):
        """(Message-ID, arrival time) of every message received (duplicates kept)."""
        out = []
        parser = email.parser.BytesHeaderParser()
        for run, _, names in os.walk(self.folder):
            for name in names:
                if not name.endswith(".eml"):
                    continue
                path = os.path.join(run, name)
                with open(path, "rb") as f:
                    out.append((str(parser.parse(f).get("Message-ID", "")).strip(),
                                os.path.getmtime(path)))
        return out

    def message_ids(self):
        return [m for m, _ in self.received()]


class Connector:
    """The real `mangfold serve` with its log in the work folder."""

    def __init__(self, binary, folder, config, db, port, preexec=None):
        self.binary = binary
        self.folder = folder
        self.config = config
        self.db = db
        self.port = port
        self.preexec = preexec
        self.proc = None
        self.log_path = os.path.join(folder, "server.log")

    def start(self, timeout=20.0):
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config],
                                     stdout=logf, stderr=logf, preexec_fn=self.preexec)
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                if b'"msg":"listening"' in f.read():
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("mangfold exited with %s: %s" % (self.proc.returncode,
                                                                    self.log_tail()))
            time.sleep(0.02)
        raise RuntimeError("mangfold did not start: " + self.log_tail())

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=3000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def log_lines(self):
        with open(self.log_path, "rb") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

    def query(self, sql, args=()):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()


def write_config(folder, port, db, mail, tenants, storage_extra=""):
    with open(os.path.join(folder, "oslo.whsec"), "w") as f:
        f.write(SECRET)
    with open(os.path.join(folder, "wc.hex"), "w") as f:
        f.write(WC_KEY_HEX)
    with open(os.path.join(folder, "api.key"), "w") as f:
        f.write(API_KEY)
    with open(os.path.join(folder, "pseudonym.key"), "w") as f:
        f.write(secrets.token_hex(32))
    path = os.path.join(folder, "mangfold.yaml")
    with open(path, "w") as f:
        f.write("listen: {address: %s, port: %d, threads: 2}\n" % (HOST, port))
        f.write("storage: {sqlite: %s%s}\n" % (db, storage_extra))
        f.write("mail: %s\nlog: {level: info}\ntenants:\n%s" % (mail, tenants))
    return path


def oslo_tenant():
    return ("  oslo:\n    adapter: native\n    policy: %s/policies/oslo.yaml\n"
            "    signature: {secret: {file: oslo.whsec}}\n"
            "    pseudonyms: {key: {file: pseudonym.key}}\n" % ROOT)


def smtp_mail(port):
    return '{smtp_url: "smtp://%s:%d", from: "Mangfold Soak <mangfold@%s>"}' % (
        HOST, port, MAIL_DOMAIN)


# ---------------------------------------------------------------------------------------
# Checks shared by the drills.

class Verdict:
    """One drill's figures and broken promises."""

    def __init__(self, name):
        self.name = name
        self.figures = collections.OrderedDict()
        self.broken = []
        self.started = time.monotonic()
        self.seconds = 0.0

    def fig(self, key, value):
        self.figures[key] = value
        log("  %s: %s" % (key, value))

    def promise(self, ok, what):
        if not ok:
            self.broken.append(what)
            log("  BROKEN: " + what)
        return ok

    def done(self):
        self.seconds = time.monotonic() - self.started
        return self


def pseudonym(key, tenant, vacancy_id, candidate_id):
    """The connector's candidate pseudonym (connector/app/pseudonyms.hpp): the store keeps no
    ATS candidate id, so the drill works out which row is which the same way."""
    key_id = hashlib.sha256(("mangfold candidate pseudonym key id\n" + key).encode()).hexdigest()[:8]
    data = ("%s\0%s\0%s" % (tenant, vacancy_id, candidate_id)).encode()
    return key_id + "." + hmac.new(key.encode(), data, hashlib.sha256).hexdigest()[:32]


def check_events(v, server, clients, tenant="oslo"):
    """Every acknowledged event stored once, nothing stored that was not sent, every stored
    event applied exactly once (one verdict row and its candidate's history each)."""
    acked = merged(clients, "acked")
    sent = merged(clients, "sent")
    stored = {r[0] for r in server.query("SELECT event_id FROM events WHERE tenant = ?", (tenant,))}
    lost = sorted(set(acked) - stored)
    phantom = sorted(stored - set(sent))
    verdicts = server.query("SELECT count(*) FROM verdicts WHERE tenant = ?", (tenant,))[0][0]
    # A verdict row is stored only when the vacancy's verdict changed (issue 22), so each
    # vacancy an event reached has its current verdict and between one verdict row and one
    # per event; that each event was applied exactly once is what the histories show.
    touched = {sent[e][0] for e in stored if e in sent}
    current = {r[0] for r in server.query(
        "SELECT vacancy_id FROM current_verdicts WHERE tenant = ?", (tenant,))}
    logged = dict(server.query(
        "SELECT vacancy_id, count(*) FROM verdicts WHERE tenant = ? GROUP BY vacancy_id",
        (tenant,)))
    per_vacancy = collections.Counter(sent[e][0] for e in stored if e in sent)
    # Each event's own candidate is "g-<event id>" (the other one, "o-<vacancy>", is in every
    # event of its vacancy); the store keeps them as pseudonyms.
    with open(os.path.join(os.path.dirname(server.config), "pseudonym.key")) as f:
        key = f.read().strip()
    shared = {pseudonym(key, tenant, x[0], "o-" + x[0]) for x in sent.values()}
    stages = {c: s for c, s in server.query(
        "SELECT candidate_id, stages FROM candidate_stages WHERE tenant = ?", (tenant,))
        if c not in shared}
    expected = {pseudonym(key, tenant, sent[e][0], sent[e][1]): e for e in sent}
    wrong_history = [e for e in stored if e in sent and
                     stages.get(pseudonym(key, tenant, sent[e][0], sent[e][1])) != sent[e][2]]
    orphan_history = [c for c in stages if expected.get(c) not in stored]
    v.fig("events sent", len(sent))
    v.fig("events acknowledged (2xx)", len(acked))
    v.fig("acknowledged as duplicate (applied before its answer was lost)",
          sum(1 for s in acked.values() if s == "duplicate"))
    v.fig("events stored", len(stored))
    v.fig("acknowledged but lost", len(lost))
    v.fig("verdict rows", verdicts)
    v.fig("candidate histories checked", len(stages))
    v.promise(not lost, "%d acknowledged events lost, e.g. %s" % (len(lost), lost[:5]))
    v.promise(not phantom, "%d stored events never sent: %s" % (len(phantom), phantom[:5]))
    v.promise(touched <= current and
              all(1 <= logged.get(x, 0) <= n for x, n in per_vacancy.items()),
              "%d verdict rows for %d stored events on %d vacancies, %d without a current "
              "verdict (an event applied twice or half)" %
              (verdicts, len(stored), len(touched), len(touched - current)))
    v.promise(len(stages) == len(stored) and not wrong_history and not orphan_history,
              "stage histories inconsistent with stored events: %d wrong, %d orphaned" %
              (len(wrong_history), len(orphan_history)))
    answers = answers_of(clients)
    v.fig("answers", dict(sorted(answers.items(), key=lambda kv: str(kv[0]))))
    fivehundreds = {k: n for k, n in answers.items() if isinstance(k, int) and k >= 500
                    and k != 503}
    v.promise(not fivehundreds, "answers other than 2xx/503 from the server: %s" % fivehundreds)
    refused = [r for c in clients for r in c.refused]
    v.promise(not refused, "4xx answers to valid events: %s" % refused[:3])
    unacked = [e for c in clients for e in c.unacked]
    v.promise(not unacked, "%d events never acknowledged within the drill's bound" % len(unacked))
    return stored


def wait_outbox_drained(v, server, bound, label):
    """Waits until no email row is in flight or due within `bound` seconds of now."""
    started = time.monotonic()
    last_print = 0.0
    while True:
        now = int(time.time())
        busy = server.query(
            "SELECT count(*) FROM outbox WHERE kind = 'email' AND (state = 'inflight' OR "
            "(state = 'pending' AND not_before <= ?))", (now + int(bound),))[0][0]
        waited = time.monotonic() - started
        if busy == 0:
            v.fig(label, "%.0f s" % waited)
            return True
        if waited > bound:
            v.promise(False, "%d email rows still pending or in flight after %.0f s" %
                      (busy, waited))
            return False
        if waited - last_print >= 15:
            last_print = waited
            log("  ... %d email rows pending or in flight (%.0f s)" % (busy, waited))
        time.sleep(1)


def explained_by_kill(times, kills):
    """Whether each repeat of one Message-ID follows a kill that came just after the copy
    before it: the server had accepted the message, the process died before the outbox
    row's completion was committed, and the row's lease ran out (at-least-once delivery,
    connector/notify/outbox_worker.hpp)."""
    times = sorted(times)
    for first, again in zip(times, times[1:]):
        if not any(first - 0.5 <= k <= again and k - first <= 2.0 for k in kills):
            return False
    return True


def check_emails(v, server, smtp, kills=(), strict=True):
    """Every delivered outbox row's Message-ID at the SMTP server, and once. With kills,
    a repeat that a kill explains is counted apart; strict makes it a failure too."""
    rows = server.query("SELECT idempotency_key, state, delivered FROM outbox WHERE kind = 'email'")
    expected = {"<%s@%s>" % (k, MAIL_DOMAIN) for k, state, delivered in rows
                if state == "done" and delivered == 1}
    dead = [k for k, state, _ in rows if state == "dead"]
    arrivals = collections.defaultdict(list)
    for m, t in smtp.received():
        arrivals[m].append(t)
    received = collections.Counter({m: len(t) for m, t in arrivals.items()})
    duplicates = {m: n for m, n in received.items() if n > 1}
    resent = {m: n for m, n in duplicates.items() if explained_by_kill(arrivals[m], kills)}
    if kills:
        v.fig("messages resent after a kill (same Message-ID)", sum(n - 1 for n in resent.values()))
    if not strict:
        duplicates = {m: n for m, n in duplicates.items() if m not in resent}
    missing = expected - set(received)
    unexpected = set(received) - expected
    v.fig("emails planned (outbox rows)", len(rows))
    v.fig("emails delivered per the database", len(expected))
    v.fig("messages at the SMTP server", sum(received.values()))
    v.fig("distinct Message-IDs at the SMTP server", len(received))
    v.fig("duplicate messages" + ("" if strict else " not explained by a kill"),
          sum(n - 1 for n in duplicates.values()))
    v.promise(not missing, "%d delivered emails not at the SMTP server" % len(missing))
    v.promise(not unexpected, "%d messages at the SMTP server the database does not count "
              "as delivered" % len(unexpected))
    v.promise(not duplicates, "%d Message-IDs received more than once, e.g. %s" %
              (len(duplicates), list(duplicates.items())[:3]))
    v.promise(not dead, "%d emails dead-lettered" % len(dead))
    return len(expected)


def integrity(v, server):
    ok = server.query("PRAGMA integrity_check")[0][0]
    v.fig("integrity_check", ok)
    v.promise(ok == "ok", "integrity_check: " + str(ok))


# ---------------------------------------------------------------------------------------
# Drill 1: kill -9 under load.

def drill_kill(args, work):
    v = Verdict("kill -9 x%d under load" % args.kills)
    log("drill 1: kill -9 the server %d times under load from two clients" % args.kills)
    folder = os.path.join(work, "kill")
    os.makedirs(folder)
    smtp = Smtp(os.path.join(folder, "smtp"), free_port())
    smtp.start()
    port = free_port()
    db = os.path.join(folder, "db", "m.db")
    config = write_config(folder, port, db, smtp_mail(smtp.port), oslo_tenant())
    server = Connector(args.binary, folder, config, db, port)
    server.start()
    clients, stop_new = run_clients(lambda: port, hard=args.kills * 4 + 120, pause=0.02)
    rng = random.Random(1)
    restart_seconds = []
    kill_times = []
    try:
        for i in range(args.kills):
            time.sleep(rng.uniform(0.3, 3.0))  # the mail worker polls every 2 s
            kill_times.append(time.time())
            server.kill9()
            t = time.monotonic()
            server.start()
            restart_seconds.append(time.monotonic() - t)
            if (i + 1) % 10 == 0:
                log("  %d kills; %d events acknowledged so far" %
                    (i + 1, len(merged(clients, "acked"))))
        time.sleep(2)
        stop_new.set()
        for c in clients:
            c.join()
        v.fig("kills", args.kills)
        v.fig("restart to listening, max", "%.2f s" % max(restart_seconds))
        v.fig("slowest answer", "%.2f s" % max(c.max_seconds for c in clients))
        # A row claimed by a killed process is claimed again when its lease (300 s) ends.
        wait_outbox_drained(v, server, 420, "outbox drained after the last kill")
        server.stop()
        check_events(v, server, clients)
        check_emails(v, server, smtp, kill_times, strict=args.strict_email)
        integrity(v, server)
    finally:
        stop_new.set()
        server.stop()
        smtp.stop()
    return v.done()


# ---------------------------------------------------------------------------------------
# Drill 2: the SMTP server down, then back.

def drill_smtp(args, work):
    v = Verdict("SMTP down %d s" % args.smtp_down)
    log("drill 2: the SMTP server down for %d s, then back" % args.smtp_down)
    folder = os.path.join(work, "smtp")
    os.makedirs(folder)
    smtp = Smtp(os.path.join(folder, "smtp"), free_port())
    smtp.start()
    port = free_port()
    db = os.path.join(folder, "db", "m.db")
    config = write_config(folder, port, db, smtp_mail(smtp.port), oslo_tenant())
    server = Connector(args.binary, folder, config, db, port)
    server.start()
    clients = []
    try:
        # Load before, during and after the outage: one event every 0.5 s per client.
        clients, stop_new = run_clients(lambda: port, vacancies=30,
                                        hard=args.smtp_down + 120, pause=0.5)
        time.sleep(5)
        smtp.stop()
        down_at = time.monotonic()
        log("  SMTP server stopped")
        time.sleep(args.smtp_down)
        retried = server.query("SELECT count(*) FROM outbox WHERE kind = 'email' AND "
                               "last_error IS NOT NULL")[0][0]
        waiting = server.query("SELECT count(*) FROM outbox WHERE kind = 'email' AND "
                               "state IN ('pending', 'inflight') AND not_before <= ?",
                               (int(time.time()) + 600,))[0][0]
        v.fig("emails waiting when the SMTP server came back", waiting)
        v.fig("emails that had failed at least once", retried)
        v.promise(waiting > 0, "no email waited during the outage (the drill tested nothing)")
        smtp.start()
        log("  SMTP server started again")
        time.sleep(5)
        stop_new.set()
        for c in clients:
            c.join()
        # Exponential backoff from 30 s with jitter: see --smtp-down.
        wait_outbox_drained(v, server, 360, "outbox drained after the SMTP server returned")
        v.fig("outage to last delivery", "%.0f s" % (time.monotonic() - down_at))
        server.stop()
        check_events(v, server, clients)
        check_emails(v, server, smtp)
    finally:
        for c in clients:
            c.stop_new.set()
        server.stop()
        smtp.stop()
    return v.done()


# ---------------------------------------------------------------------------------------
# Drill 3: the ATS's Candidate API down.

class FakeCandidateApi:
    """The three Webcruiter Candidate API reads the adapter makes, from a dict of adverts.
    stop() closes the socket (connection refused); start() binds the same port again."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.adverts = {}    # advert id -> {"title", "candidates": {id: (status, answer)}}
        self.requests = 0
        self.httpd = None

    def set_candidate(self, advert, candidate, status, answer):
        with self.lock:
            a = self.adverts.setdefault(advert, {"candidates": {}})
            a["candidates"][candidate] = (status, answer)

    def start(self):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                with api.lock:
                    api.requests += 1
                    if self.headers.get("X-Api-Key") != API_KEY:
                        return self.reply(401, {"error": "key"})
                    path, _, query = self.path.partition("?")
                    if path.startswith("/adverts/"):
                        advert = path[len("/adverts/"):]
                        if advert not in api.adverts:
                            return self.reply(404, {"error": "no advert"})
                        return self.reply(200, {
                            "AdvertId": advert, "title": "Soak advert " + advert,
                            "Culture_Id": "NB-NO", "description": AD,
                            "CONTACTINFO": {"Contact": [{
                                "Name": "Soak Leder", "Email": "leder-%s@example.org" % advert}]}})
                    if path == "/candidates":
                        advert = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get(
                            "advertId", "")
                        cands = api.adverts.get(advert, {"candidates": {}})["candidates"]
                        return self.reply(200, [{"CandidateId": int(c), "CandidateStatusId": s}
                                                for c, (s, _) in sorted(cands.items())])
                    if path.startswith("/candidates/") and path.endswith("/custom-data"):
                        cand = path[len("/candidates/"):-len("/custom-data")]
                        for a in api.adverts.values():
                            if cand in a["candidates"]:
                                return self.reply(200, {"9001": a["candidates"][cand][1]})
                        return self.reply(404, {"error": "no candidate"})
                    return self.reply(404, {"error": "no route"})

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.httpd = Server((HOST, self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd = None

    def hang(self):
        """Listens without ever accepting: connections open, requests get no answer."""
        self.hung = socket.socket()
        self.hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.hung.bind((HOST, self.port))
        self.hung.listen(64)

    def unhang(self):
        self.hung.close()
        self.hung = None


def webcruiter_tenant(api_port):
    return (
        "  wc:\n    adapter: webcruiter\n    policy: %s/policies/sarpsborg.yaml\n"
        "    signature: {scheme: hmac, header: X-Signature-Base64HmacSha256, encoding: base64, "
        "prefix: \"\", secret_encoding: hex, secret: {file: wc.hex}}\n"
        "    pseudonyms: {key: {file: pseudonym.key}}\n"
        "    adapter_options:\n"
        "      statuses: {1: applied, 2: {stage: applied, qualification: qualified}, "
        "4: interview, 9: rejected}\n"
        "      target_groups: {immigrant_background: {question: 9001, yes: [Ja], no: [Nei]}}\n"
        "      api: {base_url: \"http://%s:%d\", auth: {api_key: {header: X-Api-Key, "
        "key: {file: api.key}}}, cache_seconds: 1}\n" % (ROOT, HOST, api_port))


def thin_event(event_id, advert):
    return json.dumps({"EventId": event_id, "EventType": "CandidateStatusChanged",
                       "AdvertId": advert}).encode()


def drill_api(args, work):
    v = Verdict("ATS API down %d s" % args.api_down)
    log("drill 3: the Webcruiter Candidate API down for %d s, then back" % args.api_down)
    folder = os.path.join(work, "api")
    os.makedirs(folder)
    api = FakeCandidateApi(free_port())
    adverts = ["41000%05d" % i for i in range(1, 11)]
    for i, a in enumerate(adverts):
        api.set_candidate(a, str(7000 + 10 * i), 2, "Ja")          # qualified, applied
        api.set_candidate(a, str(7001 + 10 * i), 4, "Nei")         # interviewed
    api.start()
    port = free_port()
    db = os.path.join(folder, "db", "m.db")
    config = write_config(folder, port, db, "{spool_dir: mail}", webcruiter_tenant(api.port),
                          ", reconcile_interval_seconds: 3")
    server = Connector(args.binary, folder, config, db, port)
    server.start()
    answers = collections.Counter()
    acked = set()
    sent = []

    def deliver(event_id, advert, until):
        """One thin event, retried as an ATS does until 2xx or `until`."""
        body = thin_event(event_id, advert)
        while True:
            status, _, text = post(port, "/hooks/wc", body, talentech_headers(body))
            answers[status if status is not None else "conn_error"] += 1
            if status is not None and 200 <= status < 300:
                acked.add(event_id)
                return status, text
            if time.monotonic() >= until:
                return status, text
            time.sleep(0.5)

    try:
        for a in adverts:  # the state before the outage: every advert in shortfall
            sent.append("before-" + a)
            status, text = deliver("before-" + a, a, time.monotonic() + 20)
            v.promise(status == 200, "before the outage: %s for %s: %s" % (status, a, text[:200]))
        before = server.query("SELECT count(*) FROM verdicts WHERE tenant = 'wc' AND "
                              "overall = 'shortfall'")[0][0]
        v.fig("adverts in shortfall before the outage", before)
        api.stop()
        log("  Candidate API stopped")
        down_at = time.monotonic()
        time.sleep(1.5)  # past the adapter's snapshot cache (cache_seconds: 1)
        # While it is down the candidates move on: each advert's applicant is invited.
        for i, a in enumerate(adverts):
            api.set_candidate(a, str(7000 + 10 * i), 4, "Ja")
        # Thin events during the outage: answered with a retryable status, never 2xx (a 2xx
        # would acknowledge an event whose state was never read).
        during = collections.Counter()
        statuses_during = []
        for a in adverts[:5]:
            event_id = "during-" + a
            sent.append(event_id)
            body = thin_event(event_id, a)
            status, seconds, text = post(port, "/hooks/wc", body, talentech_headers(body))
            during[status] += 1
            answers[status if status is not None else "conn_error"] += 1
            statuses_during.append((status, text[:160]))
        v.fig("answers to thin events while the API refuses connections", dict(during))
        time.sleep(max(0, args.api_down / 2 - (time.monotonic() - down_at)))
        # Then the API hangs: it accepts connections and never answers (the adapter's
        # request timeout is 10 s). The thin events' answers must still come, bounded.
        api.hang()
        log("  Candidate API hanging")
        hung_at = time.monotonic()
        hung_answers = []

        def hung_post(a):
            event_id = "during-" + a
            body = thin_event(event_id, a)
            status, seconds, text = post(port, "/hooks/wc", body, talentech_headers(body))
            hung_answers.append((status, seconds))
            answers[status if status is not None else "conn_error"] += 1
            statuses_during.append((status, text[:160]))

        posters = [threading.Thread(target=hung_post, args=(a,)) for a in adverts[5:7]]
        sent.extend("during-" + a for a in adverts[5:7])
        for t in posters:
            t.start()
        probe = time.monotonic()
        health, _ = get(port, "/healthz")
        v.fig("/healthz while fetches hang", "%s in %.2f s" % (health, time.monotonic() - probe))
        v.promise(health == 200 and time.monotonic() - probe < 2,
                  "/healthz did not answer promptly while fetches hung")
        for t in posters:
            t.join()
        v.fig("answers to thin events while the API hangs",
              ", ".join("%s in %.1f s" % a for a in hung_answers))
        v.promise(all(sec < 25 for _, sec in hung_answers),
                  "a thin event waited 25 s or more for a hanging API")
        v.promise(all(s == 503 for s, _ in statuses_during),
                  "thin events during the outage were not answered 503: %s" % statuses_during[:2])
        stored_during = server.query("SELECT count(*) FROM events WHERE event_id LIKE 'during-%'")
        v.promise(stored_during[0][0] == 0, "a thin event was stored although nothing was read")
        time.sleep(max(0, args.api_down / 2 - (time.monotonic() - hung_at)))
        api.unhang()
        failed_reconciles = sum(1 for j in server.log_lines()
                                if j.get("msg") == "sync: fetch failed")
        v.fig("reconcile fetches failed during the outage", failed_reconciles)
        api.start()
        log("  Candidate API started again")
        up_at = time.monotonic()
        # The ATS retries the events it was refused; reconcile heals the others.
        for a in adverts[:7]:
            status, text = deliver("during-" + a, a, time.monotonic() + 30)
            v.promise(status == 200, "after the outage: %s: %s" % (status, text[:200]))
        caught_up = None
        while time.monotonic() - up_at < 30:
            rows = server.query(
                "SELECT vacancy_id, overall FROM verdicts v WHERE tenant = 'wc' AND id = "
                "(SELECT max(id) FROM verdicts w WHERE w.tenant = v.tenant AND "
                "w.vacancy_id = v.vacancy_id)")
            if len(rows) == len(adverts) and all(o == "compliant" for _, o in rows):
                caught_up = time.monotonic() - up_at
                break
            time.sleep(0.5)
        v.fig("API back to every advert's verdict current",
              "%.1f s" % caught_up if caught_up is not None else "not within 30 s")
        v.promise(caught_up is not None,
                  "the verdicts did not catch up with the API's state within 30 s")
        stored = {r[0] for r in server.query("SELECT event_id FROM events WHERE tenant = 'wc' "
                                             "AND event_id NOT LIKE 'sync:%'")}
        v.fig("thin events sent", len(sent))
        v.fig("thin events acknowledged", len(acked))
        v.fig("acknowledged but lost", len(acked - stored))
        v.promise(acked <= stored, "acknowledged thin events lost: %s" % sorted(acked - stored))
        v.fig("answers", dict(sorted(answers.items(), key=lambda kv: str(kv[0]))))
        v.promise(not any(isinstance(k, int) and k >= 500 and k != 503 for k in answers),
                  "answers other than 2xx/503: %s" % dict(answers))
        v.promise(server.alive(), "the server died")
    finally:
        server.stop()
        if getattr(api, "hung", None):
            api.unhang()
        if api.httpd:
            api.stop()
    return v.done()


# ---------------------------------------------------------------------------------------
# Drill 4: the data folder's file system full.

def try_mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size, "tmpfs", path],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


def fill(path):
    """Writes zeros into `path` until the file system says ENOSPC; returns bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n = f.write(chunk)
            except OSError as e:
                if e.errno in (28, 27):  # ENOSPC, EFBIG
                    break
                raise
            written += n
            if n < len(chunk):
                chunk = chunk[:max(1, len(chunk) // 2)]
    return written


def storage_outage(v, server, port, label, outage_seconds, break_it, repair_it):
    """Two clients post through a storage fault; every answer must be 2xx or 503."""
    clients, stop_new = run_clients(lambda: port, vacancies=20,
                                    hard=outage_seconds + 90, pause=0.05)
    time.sleep(2)
    before = len(merged(clients, "acked"))
    break_it()
    broken_at = time.monotonic()
    log("  %s" % label)
    time.sleep(outage_seconds)
    answers_during = answers_of(clients)
    acked_during = len(merged(clients, "acked")) - before
    v.fig("events acknowledged while broken", acked_during)
    v.fig("503 answers while broken", answers_during.get(503, 0))
    v.promise(answers_during.get(503, 0) > 0, "no 503 while broken (the drill tested nothing)")
    v.promise(server.alive(), "the server died while storage was broken: " + server.log_tail(800))
    health, _ = get(port, "/healthz")
    ready, _ = get(port, "/readyz")
    v.fig("/healthz, /readyz while broken", "%s, %s" % (health, ready))
    repair_it()
    repaired_at = time.monotonic()
    # What the 503 answers said (store messages; an answer never carries event data).
    details = collections.Counter()
    for c in clients:
        details.update(c.details)
    v.fig("5xx answers' detail", dict(details.most_common(3)))
    log("  repaired; waiting for the first 2xx")
    first_2xx = None
    while time.monotonic() - repaired_at < 60:
        if len(merged(clients, "acked")) > before + acked_during:
            first_2xx = time.monotonic() - repaired_at
            break
        time.sleep(0.1)
    v.fig("repair to first 2xx (no restart)",
          "%.1f s" % first_2xx if first_2xx is not None else "none within 60 s")
    v.promise(first_2xx is not None, "no 2xx within 60 s of the repair without a restart")
    time.sleep(3)
    stop_new.set()
    for c in clients:
        c.join()
    v.fig("broken for", "%.0f s" % (repaired_at - broken_at))
    v.fig("slowest answer", "%.2f s" % max(c.max_seconds for c in clients))
    return clients


def drill_disk(args, work):
    v = Verdict("disk full (ENOSPC)")
    log("drill 4: the database's file system full, then space again")
    folder = os.path.join(work, "disk")
    os.makedirs(folder)
    data = os.path.join(folder, "data")
    if args.disk_method == "fsize":
        mounted, why = False, "--disk-method fsize"
    else:
        mounted, why = try_mount_tmpfs(data, "8m")
    if not mounted and args.disk_method == "tmpfs":
        raise RuntimeError("cannot mount a tmpfs: " + why)
    port = free_port()
    db = os.path.join(data, "m.db")
    config = write_config(folder, port, db, "{spool_dir: mail}", oslo_tenant())
    filler = os.path.join(data, "filler")
    if mounted:
        v.fig("method", "tmpfs of 8 MiB mounted on the data folder, filled with a file")
        server = Connector(args.binary, folder, config, db, port)
    else:
        # Without the right to mount: a file size limit makes writes past it fail with
        # EFBIG, the same store error path as ENOSPC. SIGXFSZ is ignored, as a full disk
        # sends no signal. The limit is raised on the running process to "repair".
        v.fig("method", "RLIMIT_FSIZE (mount refused: %s)" % why)

        def preexec():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        server = Connector(args.binary, folder, config, db, port, preexec=preexec)
    try:
        server.start()

        def break_it():
            if mounted:
                v.fig("filler bytes", fill(filler))
            else:
                size = max(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
                resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

        def repair_it():
            if mounted:
                os.remove(filler)
            else:
                resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE,
                                 (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

        clients = storage_outage(v, server, port, "file system full", args.fault_seconds,
                                 break_it, repair_it)
        server.stop()
        check_events(v, server, clients)
        integrity(v, server)
        if mounted:
            # A start on a full disk, after a clean stop removed the WAL: recorded, not
            # promised (the process cannot create its WAL; its supervisor restarts it).
            fill(filler)
            try:
                server.start(timeout=10)
                v.fig("start on a full disk", "listening")
                server.stop()
            except RuntimeError:
                lines = [j for j in server.log_lines() if j.get("msg") == "cannot open storage"]
                v.fig("start on a full disk", "exit %s: cannot open storage: %s" % (
                    server.proc.returncode, lines[-1].get("detail", "") if lines else "?"))
            os.remove(filler)
            server.start()
            body = native_event("v-after", "g-after", "applied")
            status, _, _ = post(port, "/hooks/oslo", body,
                                standard_webhooks_headers("after-restart", body))
            v.fig("start once space returned, then an event", status)
            v.promise(status == 200, "no 2xx after a start once space returned: %s" % status)
    finally:
        server.stop()
        if mounted:
            subprocess.run(["umount", "-l", data], capture_output=True)
    return v.done()


# ---------------------------------------------------------------------------------------
# Drill 5: the database locked by another process.

def drill_lock(args, work):
    v = Verdict("database locked %d s" % args.fault_seconds)
    log("drill 5: the database locked by another process for %d s" % args.fault_seconds)
    folder = os.path.join(work, "lock")
    os.makedirs(folder)
    port = free_port()
    db = os.path.join(folder, "db", "m.db")
    config = write_config(folder, port, db, "{spool_dir: mail}", oslo_tenant())
    server = Connector(args.binary, folder, config, db, port)
    holder = {}
    try:
        server.start()

        def break_it():
            # Another process (this one) holds a write transaction on the server's database.
            con = sqlite3.connect(db, timeout=30, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
            con.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('soak', 1)")
            holder["con"] = con

        def repair_it():
            holder.pop("con").execute("ROLLBACK")

        clients = storage_outage(v, server, port, "database locked (BEGIN EXCLUSIVE held)",
                                 args.fault_seconds, break_it, repair_it)
        v.promise(max(c.max_seconds for c in clients) < 15,
                  "an answer took longer than 15 s while the database was locked")
        server.stop()
        check_events(v, server, clients)
        integrity(v, server)
    finally:
        if "con" in holder:
            holder["con"].close()
        server.stop()
    return v.done()


# ---------------------------------------------------------------------------------------

DRILLS = {"kill": drill_kill, "smtp": drill_smtp, "api": drill_api, "disk": drill_disk,
          "lock": drill_lock}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "mangfold"))
    p.add_argument("--drills", default="kill,smtp,api,disk,lock",
                   help="comma-separated subset of " + ",".join(DRILLS))
    p.add_argument("--kills", type=int, default=50)
    # 100 s: the fourth attempt of an email that failed first as the server went down comes
    # 105-210 s later (backoff from 30 s, doubled, equal jitter), so every email is out
    # within about two minutes of the server's return; past 105 s a fifth attempt, up to
    # four minutes later, can be needed.
    p.add_argument("--smtp-down", type=int, default=100, help="seconds")
    p.add_argument("--api-down", type=int, default=30,
                   help="seconds: half refusing connections, half hanging")
    p.add_argument("--fault-seconds", type=int, default=15, help="disk full / lock duration")
    p.add_argument("--disk-method", choices=["auto", "tmpfs", "fsize"], default="auto",
                   help="disk full by a small tmpfs (needs root) or by RLIMIT_FSIZE; auto: "
                   "tmpfs when it can be mounted")
    p.add_argument("--strict-email", action="store_true",
                   help="fail the kill drill on any repeated message, also one resent because "
                   "a kill came between the SMTP server's acceptance and the commit")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)
    names = [n for n in args.drills.split(",") if n]
    for n in names:
        if n not in DRILLS:
            p.error("unknown drill %r" % n)
    work = tempfile.mkdtemp(prefix="mangfold-soak-")
    log("work folder %s, binary %s" % (work, args.binary))
    started = time.monotonic()
    results = []
    for n in names:
        try:
            results.append(DRILLS[n](args, work))
        except Exception as e:  # a drill that cannot run is a failed drill
            v = Verdict(n)
            v.promise(False, "the drill stopped: %s: %s" % (type(e).__name__, e))
            results.append(v.done())
    total = time.monotonic() - started
    print("\nSummary (%d s in all)" % total)
    print("| drill | result | time | figures |")
    print("|---|---|---|---|")
    for v in results:
        keys = ["kills", "events sent", "events acknowledged (2xx)", "acknowledged but lost",
                "duplicate messages", "duplicate messages not explained by a kill",
                "messages resent after a kill (same Message-ID)",
                "emails delivered per the database",
                "distinct Message-IDs at the SMTP server", "503 answers while broken",
                "repair to first 2xx (no restart)", "outbox drained after the last kill",
                "outbox drained after the SMTP server returned",
                "API back to every advert's verdict current", "thin events sent",
                "thin events acknowledged", "answers to thin events while the API hangs",
                "method"]
        figs = "; ".join("%s %s" % (k, v.figures[k]) for k in keys if k in v.figures)
        print("| %s | %s | %.0f s | %s |" % (v.name, "PASS" if not v.broken else "FAIL",
                                              v.seconds, figs))
    failed = [v for v in results if v.broken]
    for v in failed:
        for b in v.broken:
            print("FAIL %s: %s" % (v.name, b))
    if args.keep or failed:
        print("work folder kept: " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
