#!/usr/bin/python3
"""A local SMTP server for the notify integration tests (Debian python3-aiosmtpd).

Listens on 127.0.0.1 (port 0 = any free port) and prints "PORT <n>" once it accepts
connections. Every accepted message is saved as <folder>/<n>.eml (the bytes as received)
with <folder>/<n>.json holding the envelope (MAIL FROM, RCPT TO) and whether the connection
was encrypted ("tls"). Recipients given with
--reject are refused with 550, those given with --tempfail with 451. With --user and
--password, AUTH is required (also in clear: this server lets clients show what they would do);
each AUTH attempt appends "tls" or "clear" (was the connection encrypted?) to <folder>/auth.log.

With --cert and --key the server speaks TLS: from the first byte with --tls implicit (as on
port 465), or after STARTTLS with --tls starttls (offered, not required). --max-tls 1.1 caps the
protocol version, to check that clients refuse old TLS.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, folder, reject, tempfail):
        self.folder = folder
        self.reject = {a.lower() for a in reject}
        self.tempfail = {a.lower() for a in tempfail}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        if address.lower() in self.tempfail:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        # Written under a temporary name and renamed, so the test never reads half a file.
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "tls": server.transport.get_extra_info("ssl_object") is not None}, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tempfail", action="append", default=[])
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--tls", choices=["implicit", "starttls"])
    parser.add_argument("--max-tls", choices=["1.1"])
    args = parser.parse_args()
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.max_tls == "1.1":
            context.set_ciphers("ALL:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
    os.makedirs(args.folder, exist_ok=True)
    handler = Handler(args.folder, args.reject, args.tempfail)

    def authenticate(server, session, envelope, mechanism, auth_data):
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        with open(os.path.join(args.folder, "auth.log"), "a") as f:
            f.write("tls\n" if encrypted else "clear\n")
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        # handled=False: let aiosmtpd answer a failure with 535 (the default, True, means
        # "already answered" and leaves the client waiting).
        return AuthResult(success=ok, handled=False)

    def factory():
        options = {"hostname": "mangfold-test"}
        if args.tls == "starttls":
            options["tls_context"] = context
        if args.user:
            options.update(authenticator=authenticate, auth_required=True, auth_require_tls=False)
        return SMTP(handler, **options)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(factory, "127.0.0.1", args.port,
                                          ssl=context if args.tls == "implicit" else None)
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await stop
        server.close()
        await server.wait_closed()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
