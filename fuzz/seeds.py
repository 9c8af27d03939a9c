#!/usr/bin/env python3
"""Writes the seed inputs of every harness into fuzz/seeds/<harness>/ from the repository's
fixtures and examples (docs/reliability.md, "Fuzzing"). `make fuzz` merges them into
fuzz/corpus/<harness>/ (libFuzzer -merge=1), which keeps only the inputs that add coverage.
Run from the repository root: python3 fuzz/seeds.py OUT_DIR"""
import glob
import json
import os
import sys

out_root = sys.argv[1]


def put(harness, name, data):
    d = os.path.join(out_root, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# native: the example snapshots.
for p in sorted(glob.glob("examples/snapshots/*.json")):
    put("fuzz_native_event", os.path.basename(p), read(p))

# webcruiter: events (mode 0); the Candidate API answers are reached by mutation from them.
for p in sorted(glob.glob("examples/webcruiter/*.json") + glob.glob("tests/fixtures/webcruiter/*.json")):
    put("fuzz_webcruiter_event", os.path.basename(p), b"\x00" + read(p))
    for mode in (1, 2, 3):
        put("fuzz_webcruiter_event", f"{mode}-" + os.path.basename(p), bytes([mode]) + read(p))

# webcruiter sync mode: the Hired Candidate API (mode 4), a process listing (5), statuses (6).
for mode, name in ((4, "hired"), (5, "processes"), (6, "statuses")):
    p = f"tests/fixtures/webcruiter_api/{name}.json"
    put("fuzz_webcruiter_event", f"{mode}-{name}.json", bytes([mode]) + read(p))

# generic: each mapping with its own payloads (fuzz/generic_event.cpp for the modes).
for mode, name in ((0, "ashby"), (1, "greenhouse"), (2, "teamtailor"), (3, "teamtailor")):
    for p in sorted(glob.glob(f"examples/generic/{name}/payloads/*.json")):
        put("fuzz_generic_event", f"{mode}-{name}-" + os.path.basename(p),
            bytes([mode]) + b"Content-Type: application/json\n\n" + read(p))
for p in sorted(glob.glob("examples/generic/teamtailor/payloads/*.json")):
    payload = json.loads(read(p))["payload"]
    put("fuzz_generic_event", "5-teamtailor-signed-" + os.path.basename(p),
        b"\x05\n\n" + json.dumps(payload, ensure_ascii=False).encode())
for mode, name in ((6, "smartrecruiters"), (7, "lever"), (8, "teamtailor-partner"), (9, "workable"),
                   (10, "recruitee"), (11, "huntflow")):
    for p in sorted(glob.glob(f"examples/generic/{name}/payloads/*.json")):
        put("fuzz_generic_event", f"{mode}-{name}-" + os.path.basename(p),
            bytes([mode]) + b"Content-Type: application/json\n\n" + read(p))
put("fuzz_generic_event", "6-smartrecruiters-handshake", b"\x06X-Hook-Secret: 4jn8fs9011jj8\n\n")
put("fuzz_generic_event", "8-teamtailor-partner-structured",
    b"\x08Teamtailor-Signature: t=1800000000,v1=00,v0=11\n\n" +
    read("examples/generic/teamtailor-partner/payloads/trigger.json"))
put("fuzz_generic_event", "11-huntflow-ping", b"\x0bX-Huntflow-Event: PING\nX-Huntflow-Signature: 00\n\n{}")
put("fuzz_generic_event", "4-rekrutt", b"\x04X-Rekrutt-Event: vacancy.state\n\n" +
    read("tests/fixtures/generic/rekrutt_payload.json"))

# feed
for p in sorted(glob.glob("tests/fixtures/webcruiter_feed/*.xml")):
    put("fuzz_webcruiter_feed", os.path.basename(p), read(p))

# ads: the selector byte is (language index << 1) | text; languages sorted: en, nb, nn.
languages = {"en": 0, "nb": 1, "nn": 2}
for p in sorted(glob.glob("tests/fixtures/ads/*.html") + glob.glob("tests/fixtures/ads/*.txt")):
    base = os.path.basename(p)
    language = base.split(".")[-2]
    selector = (languages.get(language, 1) << 1) | (1 if base.endswith(".txt") else 0)
    for harness in ("fuzz_ad_scan", "fuzz_ad_inject"):
        put(harness, base, bytes([selector]) + read(p))

# policies
for p in sorted(glob.glob("policies/*.yaml") + glob.glob("policies/base/*.yaml") +
                glob.glob("tests/fixtures/policies/*.yaml")):
    put("fuzz_policy_loader", p.replace("/", "_"), read(p))

# mappings
for p in sorted(glob.glob("examples/generic/*/mapping.yaml") + glob.glob("tests/fixtures/generic/*.yaml")):
    put("fuzz_mapping_loader", p.replace("/", "_"), read(p))

# api.answers, offsets and {config:…} outside the examples (tests/generic/answers_offset_config_test.cpp)
put("fuzz_mapping_loader", "answers-offset-config.yaml", read("tests/fixtures/generic/answers_offset_config.yaml"))

# signatures: one input per verifier (fuzz/signature.cpp for the modes), headers as sent.
body = b'{"delivery":"d-1","signatures":["c2ln"],"sent_at":"2027-01-15T08:00:00.000+01:00"}'
put("fuzz_signature", "0-standard", b"\x00webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W\n"
    b"webhook-timestamp: 1800000000\nwebhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1a,abc\n\n" + body)
put("fuzz_signature", "1-github", b"\x01X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n\n" + body)
put("fuzz_signature", "2-talentech", b"\x02X-Signature-Base64HmacSha256: dGVzdA==\n\n" + body)
put("fuzz_signature", "3-header", b"\x03X-Rekrutt-Signature: sha256=00ff, sha256=AB12\nX-Rekrutt-Timestamp: 1800000000\n\n" + body)
put("fuzz_signature", "4-body-list", b"\x04\n\n" + body)
put("fuzz_signature", "5-base64-hex", b"\x05X-Rekrutt-Signature: sha1 MDBmZg==\nX-Rekrutt-Timestamp: 1800000000123\n\n" + body)
put("fuzz_signature", "6-teamtailor", b'\x06\n\n{"payload":{"event_name":"job.create"},"signature":"MDBmZg=="}')
put("fuzz_signature", "7-iso8601", b"\x07\n\n2027-01-15T08:00:00.250-02:30")

# ID-only hooks (HR Manager style): the first byte 0 = key in a header, 1 = in the body field UserData.
hooks = {
    "position-updated": b'{"Event":"PositionUpdated","PositionId":4100000007}',
    "advert-string": b'{"AdvertId":"4100000001","CompanyId":12}',
    "batch": b'[{"PositionId":1},{"CandidateId":9},{"PositionId":1},{"ProjectId":"p-2"}]',
    "other-object": b'{"CandidateId":123,"Event":"CandidateCreated"}',
    "unicode": '{"vacancy_id":"stilling-æøå"}'.encode(),
}
for name, data in hooks.items():
    put("fuzz_id_hook", "0-" + name, b"\x00" + data)
put("fuzz_id_hook", "1-user-data", b'\x01{"PositionId":4100000007,"UserData":"k3y-0123456789abcdef"}')
put("fuzz_id_hook", "1-batch-keys", b'\x01[{"AdvertId":1,"UserData":"a"},{"AdvertId":2,"UserData":"b"}]')

# Retry-After values from ATS API answers: delta-seconds, HTTP dates, and what servers get wrong.
for name, value in {"seconds": "120", "zero": "0", "huge": "99999999999999",
                    "date": "Wed, 21 Oct 2026 07:28:00 GMT", "date-past": "Thu, 01 Jan 1970 00:00:00 GMT",
                    "negative": "-5", "word": "soon"}.items():
    put("fuzz_retry_after", name, value)

# Stored verdicts: the first byte picks the phase and overall columns, the rest is the rules
# column as verdict_columns writes it (keys sorted, compact, non-ASCII as it is).
def counts(base, qualified=True):
    names = ["applicants", "in_group", "unknown_answer", "qualified_in_group", "unassessed_in_group",
             "invited", "invited_in_group", "required", "proposed", "hired", "hired_in_group"]
    c = {n: base + i for i, n in enumerate(names)}
    if qualified:
        c["qualified"] = base + 11
    return c


def rule_verdict(rule, kind, group, outcome, severity, missing, code, reason, c):
    return {"rule": rule, "kind": kind, "group": group, "outcome": outcome, "severity": severity,
            "missing": missing, "reason_code": code, "reason": reason, "counts": c}


def rules_column(rules):
    return json.dumps(rules, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


imdi_rules = [
    rule_verdict("half_of_invited", "interview_minimum", "immigrant_background", "shortfall", "warning",
                 1, "below_required", "3 qualified in the group, 0 of 4 invited, 2 required.", counts(0)),
    rule_verdict("encourage_applicants", "ad_sentence", "", "compliant", "none", 0, "present",
                 "The ad has the sentence.", counts(0, qualified=False)),
    rule_verdict("diversity_goals", "ad_mentions", "", "insufficient_data", "advice", 0, "no_ad",
                 "No ad to read yet.", counts(7)),
    rule_verdict("justify_hire", "hire_justification", "immigrant_background", "not_applicable", "none",
                 0, "nobody_proposed", "Nobody proposed yet.", counts(-1)),
]
put("fuzz_stored_verdict", "imdi", b"\x05" + rules_column(imdi_rules))
put("fuzz_stored_verdict", "empty", b"\x00[]")
put("fuzz_stored_verdict", "unknown-phase", b"\x03" + rules_column(imdi_rules[:1]))
odd = rule_verdict("«rule» \"q\" \\ /", "moderate_quota", "gr\u00f8up\t\u0001\x7f", "breach_me", "breach",
                   -2147483648, "x", "\U0001F600 \u20ac", counts(2147483636))
odd["outcome"] = "shortfall"
put("fuzz_stored_verdict", "odd-strings", b"\x0a" + rules_column([odd]))
put("fuzz_stored_verdict", "escapes", b"\x06" + '[{"rule":"\\u0072\\ud83d\\ude00","extra":[1,{"x":null},2.5,-0,true]}]'.encode())
put("fuzz_stored_verdict", "duplicate-key", b"\x01" + rules_column(imdi_rules[:1]).replace(b'"rule":', b'"rule":"first","rule":'))
# With the first byte's top bit set, the rest goes into a column we wrote: bits 5-6 pick a
# string's content, a number, more members of the rule, more members of its counts.
put("fuzz_stored_verdict", "in-string", b"\x80" + "«q» \\\" \\u00e6 \\ud83d\\ude00 \\n".encode())
put("fuzz_stored_verdict", "in-number", b"\xa1-2147483648")
put("fuzz_stored_verdict", "in-rule", b"\xc2,\"extra\":{\"a\":[1,2.5,null]},\"rule\":\"again\"")
put("fuzz_stored_verdict", "in-counts", b"\xe4,\"qualified\":7,\"other\":-0")
put("fuzz_stored_verdict", "split-strings", b"\x11rule|kind|group|code|reason \xff\xc3|policy")

# http: requests as ATSs and report clients send them.
requests = {
    "post-hook": b"POST /hooks/oslo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 2\r\nwebhook-id: m1\r\n\r\n{}",
    "chunked": b"POST /hooks/oslo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
               b"Expect: 100-continue\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "report": b"GET /v1/tenants/oslo/report?from=2026-01&to=2026-12&format=csv&lang=en&group=a%20b HTTP/1.1\r\n"
              b"Host: a\r\nAuthorization: Bearer t0ken\r\n\r\n",
    "pipelined": b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
                 b"GET /readyz HTTP/1.0\r\n\r\n",
    "smuggle": b"POST /hooks/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "http2": b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
}
for name, data in requests.items():
    put("fuzz_http_request", name, data)
