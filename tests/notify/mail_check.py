#!/usr/bin/python3
"""Parses one .eml file with Python's standard email package and prints what the notify
tests check, as JSON: decoded headers, the raw Subject, the parts, defects, line lengths."""
import email
import email.policy
import email.utils
import json
import sys


def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
    names = ["From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "Date", "MIME-Version",
             "Content-Language", "Auto-Submitted"]
    out = {
        "headers": {n: str(msg[n]) for n in names if msg[n] is not None},
        "raw_subject": legacy["Subject"],
        "to": [{"name": a.display_name, "email": a.addr_spec} for a in msg["To"].addresses],
        "cc": [a.addr_spec for a in msg["Cc"].addresses] if msg["Cc"] else [],
        "reply_to": [a.addr_spec for a in msg["Reply-To"].addresses] if msg["Reply-To"] else [],
        "date_unix": int(email.utils.parsedate_to_datetime(msg["Date"]).timestamp()),
        "content_type": msg.get_content_type(),
        "parts": [],
        "defects": [type(d).__name__ for d in msg.defects],
        "max_line": max(len(line) for line in raw.split(b"\r\n")),
        "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
        "ascii_only": all(b < 128 for b in raw),
    }
    for part in msg.iter_parts():
        out["parts"].append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part["Content-Transfer-Encoding"],
            "content": part.get_content(),
        })
        out["defects"] += [type(d).__name__ for d in part.defects]
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
