"""PyTango client for part 8 of `npm run bench`: cppTango's DataBaseds, measured as bench/database.ts
measures `tango-grpc database`.

Run by bench/peers-database.ts with Debian's /usr/bin/python3 against a private DataBaseds on
MariaDB. Takes one JSON argument:

    {"trl": "tango://127.0.0.1:PORT/sys/database/2", "servers": 100, "devices_per_server": 10,
     "properties": 5, "seconds": 0.25, "runs": 3, "in_flight": [16, 64]}

populates the database as bench/database.ts does (DbAddServer, DbExportDevice, DbPutDeviceProperty),
then measures DbImportDevice and DbGetDeviceProperty (two properties) over every device in turn:
sequentially, and with n requests outstanding through cppTango's asynchronous polling API
(command_inout_asynch/command_inout_reply, oldest reply first). Prints ONE JSON document:

    {"versions": {...}, "ops": {"DbImportDevice": {"sequential": [window...],
     "inFlight": {"16": [window...], ...}}, ...}}

where a window is {"elapsedS": s, "latenciesMs": [...]}. Progress goes to stderr.
"""

import json
import sys
import time
from collections import deque

import tango

WARMUP_CALLS = 2000
TIMEOUT_MS = 30000
IOR = "grpc://bench-host:50051"


def log(line):
    print("[pytango-db] " + line, file=sys.stderr, flush=True)


def fail(line):
    raise SystemExit("pytango_database_bench: " + line)


def device_names(servers, per_server):
    return ["bench/db%d/%d" % (s + 1, d + 1) for s in range(servers) for d in range(per_server)]


def populate(db, servers, per_server, properties):
    names = device_names(servers, per_server)
    for s in range(servers):
        devs = names[s * per_server:(s + 1) * per_server]
        argin = ["BenchDb/s%d" % (s + 1)]
        for d in devs:
            argin += [d, "BenchDevice"]
        db.command_inout("DbAddServer", argin)
    for d in names:
        db.command_inout("DbExportDevice", [d, IOR, "bench-host", "4242", "6"])
        argin = [d, str(properties)]
        for p in range(properties):
            argin += ["prop_%d" % (p + 1), "1", "%s value %d" % (d, p + 1)]
        db.command_inout("DbPutDeviceProperty", argin)
    return names


def cleanup(db, servers):
    for s in range(servers):
        db.command_inout("DbDeleteServer", "BenchDb/s%d" % (s + 1))


def arguments(names):
    """Each operation's argin for the i-th call."""
    return {
        "DbImportDevice": lambda i: names[i % len(names)],
        "DbGetDeviceProperty": lambda i: [names[i % len(names)], "prop_1", "prop_2"],
    }


def check(db, names):
    imported = db.command_inout("DbImportDevice", names[0])
    if imported[0][0] != 1 or imported[1][1] != IOR:
        fail("DbImportDevice answered %r" % (imported,))
    props = db.command_inout("DbGetDeviceProperty", [names[0], "prop_1", "prop_2"])
    if len(props) != 8 or props[4] != "%s value 1" % names[0]:
        fail("DbGetDeviceProperty answered %r" % (props,))


def window_sequential(db, op, argin, seconds):
    clock = time.perf_counter
    latencies = []
    start = clock()
    now = start
    i = 0
    while now < start + seconds:
        t0 = clock()
        db.command_inout(op, argin(i))
        i += 1
        now = clock()
        latencies.append((now - t0) * 1000.0)
    return {"elapsedS": now - start, "latenciesMs": latencies}


def window_asynch(db, op, argin, seconds, in_flight):
    clock = time.perf_counter
    pending = deque()
    latencies = []
    start = clock()
    i = 0
    for _ in range(in_flight):
        pending.append((clock(), db.command_inout_asynch(op, argin(i))))
        i += 1
    while pending:
        sent, rid = pending.popleft()
        db.command_inout_reply(rid, TIMEOUT_MS)
        now = clock()
        latencies.append((now - sent) * 1000.0)
        if now < start + seconds:
            pending.append((clock(), db.command_inout_asynch(op, argin(i))))
            i += 1
    return {"elapsedS": clock() - start, "latenciesMs": latencies}


def main():
    params = json.loads(sys.argv[1])
    db = tango.DeviceProxy(params["trl"])
    db.set_timeout_millis(TIMEOUT_MS)
    servers, per_server = int(params["servers"]), int(params["devices_per_server"])
    log("populating %d devices" % (servers * per_server))
    names = populate(db, servers, per_server, int(params["properties"]))
    try:
        check(db, names)
        seconds, runs = float(params["seconds"]), int(params["runs"])
        ops = {}
        for op, argin in arguments(names).items():
            log(op)
            for i in range(WARMUP_CALLS):
                db.command_inout(op, argin(i))
            sequential = []
            flying = {str(n): [] for n in params["in_flight"]}
            for _ in range(runs):
                sequential.append(window_sequential(db, op, argin, seconds))
                for n in params["in_flight"]:
                    flying[str(n)].append(window_asynch(db, op, argin, seconds, int(n)))
            ops[op] = {"sequential": sequential, "inFlight": flying}
    finally:
        cleanup(db, servers)
    # The document (every call's latency) goes to the file the bench names: its output is kept short.
    with open(params["out"], "w") as out:
        json.dump({"versions": {"pytango": tango.__version__, "cppTango": tango.constants.Runtime.TANGO_VERSION},
                   "ops": ops}, out)


if __name__ == "__main__":
    main()
