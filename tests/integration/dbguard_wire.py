#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""dbguard_wire.py: a PostgreSQL protocol v3 client over a raw socket, for
levee dbguard's integration test (test_dbguard.sh): what psql and pgbench do
not send on purpose. Extended-protocol batches pipelined in one write with a
refused statement in the middle (the messages after it must be discarded
until Sync, as the server would, and ReadyForQuery must carry the right
status), a refusal inside a transaction (the transaction is failed, and
COMMIT does not commit what came before), messages split across writes
byte by byte, simple queries pipelined, named prepared statements,
FunctionCall, COPY FROM STDIN, a large row and a large query, empty queries.

usage: dbguard_wire.py PROXY_PORT SERVER_PORT [--no-refusals]
       dbguard_wire.py --startup PROXY_PORT   (connection start: GSSENCRequest,
                                               malformed startup packets)
Connects as user ops to database shop on 127.0.0.1 (trust auth), through
the proxy, and straight to the server to look at the data. Prints one
`ok - ...` or `not ok - ...` line per check; exits 1 when any failed.
--no-refusals: the proxy refuses nothing (PgBouncer, while developing the
harness): the checks that need a refusal are left out.
"""
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
fails = 0


def say(good, what):
    global fails
    if not good:
        fails += 1
    print(("ok - " if good else "not ok - ") + "wire: " + what, flush=True)


def cstr(s):
    return s.encode() + b"\0"


def msg(t, body=b""):
    return t + struct.pack("!i", len(body) + 4) + body


def Q(sql):
    return msg(b"Q", cstr(sql) if isinstance(sql, str) else sql + b"\0")


def P(name, sql, oids=()):
    return msg(b"P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) + b"".join(struct.pack("!i", o) for o in oids))


def B(portal, stmt, params=()):
    body = cstr(portal) + cstr(stmt) + struct.pack("!h", 0) + struct.pack("!h", len(params))
    for p in params:
        if p is None:
            body += struct.pack("!i", -1)
        else:
            v = p.encode()
            body += struct.pack("!i", len(v)) + v
    return msg(b"B", body + struct.pack("!h", 0))


def E(portal="", rows=0):
    return msg(b"E", cstr(portal) + struct.pack("!i", rows))


def D(kind, name):
    return msg(b"D", kind + cstr(name))


S = msg(b"S")


def PBE(sql):
    return P("", sql) + B("", "") + E()


class Conn:
    def __init__(self, port, user="ops", db="shop"):
        self.sock = socket.create_connection((HOST, port), timeout=20)
        self.buf = b""
        params = cstr("user") + cstr(user) + cstr("database") + cstr(db) + cstr("application_name") + cstr("dbguard_wire") + b"\0"
        body = struct.pack("!i", 196608) + params
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        while True:
            t, b = self.read()
            if t == b"R":
                code = struct.unpack("!i", b[:4])[0]
                if code != 0:
                    raise RuntimeError(f"authentication {code} asked: this client does trust only")
            elif t == b"E":
                raise RuntimeError("connection refused: " + fields(b).get("M", "?"))
            elif t == b"Z":
                break

    def send(self, data):
        self.sock.sendall(data)

    def read(self):
        while True:
            if len(self.buf) >= 5:
                n = struct.unpack("!i", self.buf[1:5])[0]
                if len(self.buf) >= 1 + n:
                    t, b = self.buf[:1], self.buf[5 : 1 + n]
                    self.buf = self.buf[1 + n :]
                    return t, b
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def until_ready(self):
        """Messages up to and including ReadyForQuery: a list of (type, body)."""
        out = []
        while True:
            t, b = self.read()
            out.append((t, b))
            if t == b"Z":
                return out

    def close(self):
        try:
            self.send(msg(b"X"))
            self.sock.close()
        except OSError:
            pass


def fields(body):
    out, i = {}, 0
    while i < len(body) and body[i] != 0:
        j = body.index(b"\0", i + 1)
        out[chr(body[i])] = body[i + 1 : j].decode("utf-8", "replace")
        i = j + 1
    return out


def rows(msgs):
    """The text of every DataRow's first column."""
    out = []
    for t, b in msgs:
        if t == b"D":
            n = struct.unpack("!i", b[2:6])[0]
            out.append(None if n < 0 else b[6 : 6 + n].decode("utf-8", "replace"))
    return out


def errors(msgs):
    return [fields(b) for t, b in msgs if t == b"E"]


def status(msgs):
    return msgs[-1][1][:1].decode() if msgs and msgs[-1][0] == b"Z" else "?"


def types(msgs):
    return "".join(t.decode() for t, _ in msgs)


def refused(e):
    return e.get("C") == "42501" and e.get("M", "").startswith("levee dbguard")


def scalar(port, sql):
    c = Conn(port)
    c.send(Q(sql))
    r = rows(c.until_ready())
    c.close()
    return r[0] if r else None


def raw(port, data, wait=2.0):
    """Sends bytes on a new connection; what comes back until the proxy closes or wait passes."""
    sk = socket.create_connection((HOST, port), timeout=wait)
    got = b""
    try:
        sk.sendall(data)
        while True:
            chunk = sk.recv(1 << 16)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    sk.close()
    return got


def startup_checks(proxy):
    """Connection start as libpq does not send it on its own: GSSENCRequest
    (refused with N, then a plain startup works), SSLRequest without TLS,
    malformed and oversized startup packets, a CancelRequest with a key that
    matches nothing; the proxy goes on serving after each."""

    def alive():
        try:
            c = Conn(proxy)
            c.send(Q("SELECT 7"))
            r = rows(c.until_ready())
            c.close()
            return r == ["7"]
        except (OSError, EOFError, RuntimeError) as e:
            print(f"# {e}")
            return False

    sk = socket.create_connection((HOST, proxy), timeout=10)
    sk.sendall(struct.pack("!ii", 8, 80877104))
    answer = sk.recv(1)
    say(answer == b"N", f"GSSENCRequest: answered N (got {answer!r})")
    if answer == b"N":
        body = struct.pack("!i", 196608) + cstr("user") + cstr("ops") + cstr("database") + cstr("shop") + b"\0"
        sk.sendall(struct.pack("!i", len(body) + 4) + body)
        c = Conn.__new__(Conn)
        c.sock, c.buf = sk, b""
        try:
            while True:
                t, _ = c.read()
                if t in (b"Z", b"E"):
                    break
            say(t == b"Z", "after GSSENCRequest and N, a plain startup is served")
        except (OSError, EOFError) as e:
            say(False, f"after GSSENCRequest and N, a plain startup is served ({e})")
    sk.close()
    for what, data in (
        ("a startup packet of length 4", struct.pack("!i", 4)),
        ("a startup packet of length 7", struct.pack("!i", 7) + b"abc"),
        ("a startup packet of 1 GB announced", struct.pack("!ii", 1 << 30, 196608)),
        ("a startup packet of 20000 bytes", struct.pack("!ii", 20000, 196608) + b"u" * 19992),
        ("protocol version 9.9", struct.pack("!ii", 8, (9 << 16) | 9)),
        ("a startup without user", struct.pack("!ii", 9, 196608) + b"\0"),
        ("startup pairs without their NUL", struct.pack("!ii", 16, 196608) + b"user\0ops"),
        ("a CancelRequest that matches no session", struct.pack("!iiii", 16, 80877102, 12345, 67890)),
        ("half a startup, then nothing", struct.pack("!ii", 40, 196608) + b"user\0"),
        ("random bytes", bytes(range(256)) * 4),
    ):
        got = raw(proxy, data)
        err = b"E" in got[:1] or got == b""
        say(err and alive(), f"{what}: refused or closed, and the proxy still serves")
    return 1 if fails else 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--startup":
        return startup_checks(int(sys.argv[2]))
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    proxy, server = int(sys.argv[1]), int(sys.argv[2])
    refusals = "--no-refusals" not in sys.argv
    n_log = scalar(server, "SELECT count(*) FROM audit_log")

    def accounts_there():
        return scalar(server, "SELECT to_regclass('public.accounts') IS NOT NULL") == "t"

    c = Conn(proxy)
    if refusals:
        # An extended batch, pipelined: SELECT, DROP (refused), INSERT, Sync; then another batch.
        c.send(PBE("SELECT 1") + PBE("DROP TABLE accounts") + PBE("INSERT INTO audit_log (msg) VALUES ('after the refusal')") + S + PBE("SELECT count(*) FROM audit_log") + S)
        first, second = c.until_ready(), c.until_ready()
        e = errors(first)
        say(rows(first) == ["1"] and len(e) == 1 and refused(e[0]) and status(first) == "I", f"pipelined batch: SELECT answered, the DROP refused with 42501, ReadyForQuery I (got {types(first)} {e[:1]})")
        t = types(first)
        say("E" in t and "C" not in t[t.index("E") :], "pipelined batch: nothing after the refusal ran before Sync (no CommandComplete after the ErrorResponse)")
        say(rows(second) == [n_log] and status(second) == "I", f"pipelined batch: the next batch after Sync is served (audit_log has {rows(second)}, {n_log} expected)")
        say(accounts_there() and scalar(server, "SELECT count(*) FROM audit_log") == n_log, "pipelined batch: the table is there, the INSERT after the refusal did not run")

        # A refusal inside a transaction: the transaction is failed; COMMIT rolls back.
        c.send(Q("BEGIN"))
        r = c.until_ready()
        c.send(Q("INSERT INTO audit_log (msg) VALUES ('in the failed transaction')"))
        c.until_ready()
        c.send(PBE("TRUNCATE orders") + S)
        r = c.until_ready()
        e = errors(r)
        say(len(e) == 1 and refused(e[0]) and status(r) == "E", f"in a transaction: the TRUNCATE refused, ReadyForQuery E (got {types(r)} {status(r)})")
        c.send(Q("SELECT 1"))
        r = c.until_ready()
        e = errors(r)
        say(len(e) == 1 and e[0].get("C") == "25P02" and status(r) == "E", f"in the failed transaction: the next statement gets 25P02, as the server would say (got {[x.get('C') for x in e]} {status(r)})")
        c.send(Q("COMMIT"))
        r = c.until_ready()
        tag = [b[:-1].decode() for t, b in r if t == b"C"]
        say(status(r) == "I" and tag == ["ROLLBACK"], f"COMMIT of the failed transaction: ROLLBACK, ReadyForQuery I (got {tag} {status(r)})")
        say(scalar(server, "SELECT count(*) FROM audit_log") == n_log, "COMMIT of the failed transaction: the INSERT before the refusal was not committed")

        # Simple queries pipelined in one write.
        c.send(Q("SELECT 1") + Q("DROP TABLE accounts") + Q("SELECT 3"))
        a, b, d = c.until_ready(), c.until_ready(), c.until_ready()
        say(rows(a) == ["1"] and len(errors(b)) == 1 and refused(errors(b)[0]) and status(b) == "I" and rows(d) == ["3"], "three pipelined queries: 1, refused, 3")

        # A refused query split across writes, the length word too.
        data = Q("DROP TABLE accounts")
        for part in (data[:2], data[2:7], data[7:]):
            c.send(part)
            time.sleep(0.02)
        r = c.until_ready()
        say(len(errors(r)) == 1 and refused(errors(r)[0]) and accounts_there(), "a DROP split across three writes: refused, table there")

        # A named prepared statement that is destructive: refused at Parse or at Execute, never run.
        c.send(P("s_drop", "DELETE FROM orders") + S)
        r1 = c.until_ready()
        c.send(B("", "s_drop") + E() + S)
        r2 = c.until_ready()
        e = errors(r1) + errors(r2)
        say(len(e) >= 1 and any(refused(x) for x in e) and status(r2) == "I", f"a named prepared DELETE without WHERE: refused ({[x.get('C') for x in e]})")
        say(scalar(server, "SELECT count(*) FROM orders") == "200", "the prepared DELETE did not run")

        # FunctionCall: refused (fail closed), the session goes on.
        oid = int(scalar(server, "SELECT 'pg_catalog.lower(text)'::regprocedure::oid"))
        c.send(msg(b"F", struct.pack("!ih", oid, 0) + struct.pack("!h", 1) + struct.pack("!i", 1) + b"A" + struct.pack("!h", 0)))
        r = c.until_ready()
        say(len(errors(r)) == 1 and errors(r)[0].get("C") == "42501" and status(r) == "I", f"FunctionCall: refused with 42501 (got {types(r)} {[x.get('C') for x in errors(r)]})")

    # A query split byte by byte.
    data = Q("SELECT 40 + 2")
    for i in range(len(data)):
        c.send(data[i : i + 1])
        time.sleep(0.002)
    r = c.until_ready()
    say(rows(r) == ["42"] and status(r) == "I", "a query sent one byte at a time: answered")

    # Named statements, Describe, parameters, Close.
    c.send(P("s_sel", "SELECT $1::int + 1", (23,)) + D(b"S", "s_sel") + S)
    r = c.until_ready()
    say(types(r) == "1tTZ", f"Parse and Describe of a named statement: ParseComplete, ParameterDescription, RowDescription (got {types(r)})")
    c.send(B("p1", "s_sel", ("41",)) + D(b"P", "p1") + E("p1") + msg(b"C", b"Ss_sel\0") + S)
    r = c.until_ready()
    say(rows(r) == ["42"] and "3" in types(r) and status(r) == "I", f"Bind with a parameter, Execute, Close: 42 (got {rows(r)} {types(r)})")
    c.send(B("", "s_sel", ("1",)) + E() + S)
    r = c.until_ready()
    say(len(errors(r)) == 1 and errors(r)[0].get("C") == "26000", "the closed statement is gone (26000 from the server)")

    # Execute with a row limit: PortalSuspended, then the rest.
    c.send(Q("BEGIN") + P("", "SELECT id FROM orders ORDER BY id") + B("cur", "") + E("cur", 3) + E("cur", 0) + S + Q("COMMIT"))
    c.until_ready()
    r = c.until_ready()
    c.until_ready()
    say(len(rows(r)) == 200 and "s" in types(r), f"Execute with a row limit: PortalSuspended, then all 200 rows (got {len(rows(r))})")

    # COPY FROM STDIN into a temporary table.
    c.send(Q("CREATE TEMP TABLE wire_copy (x text)"))
    c.until_ready()
    c.send(Q("COPY wire_copy FROM STDIN"))
    t, _ = c.read()
    if t == b"G":
        c.send(msg(b"d", b"one\ntwo\n") + msg(b"d", b"three\n") + msg(b"c"))
        r = c.until_ready()
        tag = [b[:-1].decode() for t2, b in r if t2 == b"C"]
        say(tag == ["COPY 3"], f"COPY FROM STDIN: 3 rows copied (got {tag})")
    else:
        c.until_ready()
        say(False, f"COPY FROM STDIN: no CopyInResponse (got {t})")
    c.send(Q("COPY (SELECT x FROM wire_copy ORDER BY x) TO STDOUT"))
    r = c.until_ready()
    out = b"".join(b for t2, b in r if t2 == b"d")
    say(out == b"one\nthree\ntwo\n", "COPY TO STDOUT: the rows back")

    # Large: a 3 MB row, a 1 MB query text.
    c.send(Q("SELECT repeat('x', 3000000)"))
    r = c.until_ready()
    say(rows(r) == ["x" * 3000000], "a 3 MB value comes back whole")
    c.send(Q("SELECT length('" + "y" * 1000000 + "')"))
    r = c.until_ready()
    say(rows(r) == ["1000000"], "a 1 MB query text goes through")

    # Empty queries.
    c.send(Q("") + Q("-- only a comment\n"))
    a, b = c.until_ready(), c.until_ready()
    say(types(a) == "IZ" and types(b) == "IZ", f"empty queries: EmptyQueryResponse (got {types(a)} {types(b)})")

    # Terminate: the connection closes.
    c.send(msg(b"X"))
    try:
        closed = c.sock.recv(1) == b""
    except OSError:
        closed = True
    say(closed, "Terminate: the proxy closes the connection")
    return 1 if fails else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, RuntimeError, struct.error, ValueError) as e:
        say(False, f"the wire client stopped: {type(e).__name__}: {e}")
        sys.exit(1)
