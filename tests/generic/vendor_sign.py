#!/usr/bin/env python3
"""Signs a webhook body the way each vendor documents it, independently of the connector.

Usage: vendor_sign.py VENDOR BODY_FILE SECRET [--style js|php] [--timestamp T] [--event NAME]

Prints {"headers": {...}, "body": "..."}: the request to send. Only Python's hmac, hashlib,
base64 and json are used, so a test that posts the result checks the connector against the
vendors' recipes, not against itself.
"""
import argparse
import base64
import hashlib
import hmac
import json
import time


def mac_hex(secret, text):
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def js_stringify(value):
    # JSON.stringify: key order kept, no spaces, "/" and non-ASCII as they are.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def php_json_encode(value):
    # json_encode with default flags: "/" as "\/", non-ASCII as \uXXXX (surrogate pairs).
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("vendor")
    p.add_argument("body_file")
    p.add_argument("secret")
    p.add_argument("--style", default="js")
    p.add_argument("--timestamp", type=int, default=int(time.time()))
    p.add_argument("--event", default="")
    a = p.parse_args()
    with open(a.body_file, encoding="utf-8") as f:
        body = f.read()
    ts = str(a.timestamp)
    headers = {"Content-Type": "application/json"}
    v = a.vendor
    if v == "greenhouse":
        headers["Signature"] = "sha256 " + mac_hex(a.secret, body)
    elif v == "ashby":
        headers["Ashby-Signature"] = "sha256=" + mac_hex(a.secret, body)
    elif v == "teamtailor":  # company webhooks, signature v2
        doc = json.loads(body)
        printed = js_stringify(doc["payload"]) if a.style == "js" else php_json_encode(doc["payload"])
        sig = base64.b64encode(("t=%s,v2=%s" % (ts, mac_hex(a.secret, ts + "." + printed))).encode()).decode()
        doc["signature"] = sig
        body = json.dumps(doc, indent=2, ensure_ascii=False)
        headers["TT-Signature"] = sig
    elif v == "teamtailor-v1":  # company webhooks, signature v1: the resource id only
        doc = json.loads(body)
        sig = base64.b64encode(mac_hex(a.secret, str(doc["payload"]["data"]["id"])).encode()).decode()
        doc["signature"] = sig
        body = json.dumps(doc, indent=2, ensure_ascii=False)
        headers["TT-Signature"] = sig
    elif v == "teamtailor-partner":
        doc = json.loads(body)
        v1 = mac_hex(a.secret, ts + "." + doc["partner-event"]["id"])
        headers["Teamtailor-Signature"] = "t=%s,v1=%s" % (ts, v1)
    elif v == "smartrecruiters":
        extra = {"event-id": "evt-" + ts, "event-name": a.event or "application.created",
                 "event-version": "v201910", "link": "<https://api.smartrecruiters.com/x>; rel=self"}
        content = ".".join([ts, body, extra["event-id"], extra["event-name"],
                            extra["event-version"], extra["link"]])
        headers.update(extra)
        headers["smartrecruiters-timestamp"] = ts
        headers["smartrecruiters-signature"] = "v1=" + mac_hex(a.secret, content)
    elif v == "workable":  # the body's hex HMAC-SHA256, keyed with the account token
        headers["X-Workable-Signature"] = mac_hex(a.secret, body)
    elif v == "recruitee":  # the body's hex HMAC-SHA256, keyed with the webhook's secret
        headers["X-Recruitee-Signature"] = mac_hex(a.secret, body)
    elif v == "huntflow":  # the body's hex HMAC-SHA256; the event type and delivery id in headers
        headers["X-Huntflow-Signature"] = mac_hex(a.secret, body)
        headers["X-Huntflow-Event"] = a.event or "APPLICANT"
        headers["X-Huntflow-Delivery"] = "delivery-" + hashlib.sha256(body.encode()).hexdigest()[:16]
    elif v == "lever":
        doc = json.loads(body)
        doc["triggeredAt"] = int(ts) * 1000
        doc["signature"] = mac_hex(a.secret, doc["token"] + str(doc["triggeredAt"]))
        body = json.dumps(doc, indent=2, ensure_ascii=False)
    else:
        raise SystemExit("unknown vendor " + v)
    print(json.dumps({"headers": headers, "body": body}, ensure_ascii=False))


if __name__ == "__main__":
    main()
