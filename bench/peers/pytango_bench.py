"""PyTango client for part 4 of `npm run bench`: cppTango's TangoTest, measured as a PyTango user meets it.

Run by bench/peers.ts with Debian's /usr/bin/python3 (where python3-tango lives) against a TangoTest
started without a database. Takes one JSON argument (or JSON on stdin):

    {"trl": "tango://127.0.0.1:PORT/sys/tg_test/1#dbase=no", "seconds": 0.5, "runs": 3,
     "in_flight": 64, "sizes": [1000, 100000, 1000000]}

and prints ONE JSON document on stdout; progress and errors go to stderr. It measures:

- request-reply, the five operations of bench/request-reply.ts (ping, command_inout DevDouble,
  read/write double_scalar, read the 256-double double_spectrum_ro), each `runs` times:
  sequentially (one call after another for `seconds`), and with `in_flight` calls outstanding.
  Each window reports its elapsed seconds, every call's latency in ms and the client process's
  CPU time over the window (`cpuS`: time.process_time, all threads); bench/peers.ts turns those
  into calls/s, p50, p99 and client CPU per call with bench/figures.ts, so both sides share one
  definition.
- large data: the DevVarDoubleArray command round trip (argin and argout of n float64) and a read
  of n doubles from double_spectrum, as a list of per-call ms for each n.

Echoes are checked (length and a few values) before anything is timed; a wrong one is fatal.
"""

import json
import sys
import threading
import time
from collections import deque

import numpy as np
import tango

WARMUP_CALLS = 200
TIMEOUT_MS = 10000
PI = 3.14
WRITTEN = 2.5
SPECTRUM_RO_LENGTH = 256


def log(line):
    print("[pytango] " + line, file=sys.stderr, flush=True)


def fail(line):
    raise SystemExit("pytango_bench: " + line)


def sync_calls(dev):
    """Each operation as a blocking call, as a PyTango user writes it."""
    return {
        "ping": lambda: dev.ping(),
        "command_inout DevDouble": lambda: dev.command_inout("DevDouble", PI),
        "read double_scalar": lambda: dev.read_attribute("double_scalar"),
        "write double_scalar": lambda: dev.write_attribute("double_scalar", WRITTEN),
        "read 256-double spectrum": lambda: dev.read_attribute("double_spectrum_ro"),
    }


def asynch_calls(dev):
    """(send, reply) pairs on cppTango's asynchronous polling API; ping has none."""
    return {
        "command_inout DevDouble": (
            lambda: dev.command_inout_asynch("DevDouble", PI),
            lambda rid: dev.command_inout_reply(rid, TIMEOUT_MS)),
        "read double_scalar": (
            lambda: dev.read_attribute_asynch("double_scalar"),
            lambda rid: dev.read_attribute_reply(rid, TIMEOUT_MS)),
        "write double_scalar": (
            lambda: dev.write_attribute_asynch("double_scalar", WRITTEN),
            lambda rid: dev.write_attribute_reply(rid, TIMEOUT_MS)),
        "read 256-double spectrum": (
            lambda: dev.read_attribute_asynch("double_spectrum_ro"),
            lambda rid: dev.read_attribute_reply(rid, TIMEOUT_MS)),
    }


ASYNCH_NOTE = ("in flight: a window of {n} requests on one DeviceProxy through cppTango's "
               "asynchronous polling API ({send}/{reply}, oldest reply first); the GIL is held "
               "only to issue and collect")
THREADS_NOTE = ("in flight: {n} Python threads calling ping() on one DeviceProxy (PyTango has no "
                "asynchronous ping); cppTango releases the GIL during the call, but the GIL still "
                "serialises the client's Python work")


def check_echoes(dev):
    """Every operation answers as TangoTest should, before anything is timed."""
    dev.ping()
    if dev.command_inout("DevDouble", PI) != PI:
        fail("DevDouble did not echo %r" % PI)
    dev.write_attribute("double_scalar", WRITTEN)
    scalar = dev.read_attribute("double_scalar")
    if scalar.w_value != WRITTEN:
        fail("double_scalar's set point is %r after writing %r" % (scalar.w_value, WRITTEN))
    spectrum = dev.read_attribute("double_spectrum_ro").value
    if spectrum is None or len(spectrum) != SPECTRUM_RO_LENGTH:
        fail("double_spectrum_ro read %s values, not %d"
             % (None if spectrum is None else len(spectrum), SPECTRUM_RO_LENGTH))


def window_sequential(call, seconds):
    """One call after another for `seconds`; every call's latency in ms."""
    latencies = []
    clock = time.perf_counter
    cpu0 = time.process_time()
    start = clock()
    deadline = start + seconds
    now = start
    while now < deadline:
        t0 = clock()
        call()
        now = clock()
        latencies.append((now - t0) * 1000.0)
    return {"elapsedS": now - start, "latenciesMs": latencies, "cpuS": time.process_time() - cpu0}


def window_asynch(send, reply, seconds, in_flight):
    """`in_flight` requests outstanding: collect the oldest, send another, until `seconds` pass."""
    clock = time.perf_counter
    pending = deque()
    latencies = []
    cpu0 = time.process_time()
    start = clock()
    deadline = start + seconds
    for _ in range(in_flight):
        pending.append((clock(), send()))
    while pending:
        sent, rid = pending.popleft()
        reply(rid)
        now = clock()
        latencies.append((now - sent) * 1000.0)
        if now < deadline:
            pending.append((clock(), send()))
    return {"elapsedS": clock() - start, "latenciesMs": latencies, "cpuS": time.process_time() - cpu0}


def window_threads(call, seconds, threads):
    """`threads` threads each making blocking calls for `seconds`."""
    clock = time.perf_counter
    per_thread = [[] for _ in range(threads)]
    errors = []
    cpu0 = time.process_time()
    start = clock()
    deadline = start + seconds

    def work(latencies):
        try:
            while clock() < deadline:
                t0 = clock()
                call()
                latencies.append((clock() - t0) * 1000.0)
        except Exception as err:  # reported below: a failed call must fail the run
            errors.append(err)

    workers = [threading.Thread(target=work, args=(lat,)) for lat in per_thread]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + TIMEOUT_MS / 1000.0 + 5)
    if any(w.is_alive() for w in workers):
        fail("a ping thread did not finish")
    if errors:
        raise errors[0]
    return {"elapsedS": clock() - start, "latenciesMs": [x for lat in per_thread for x in lat],
            "cpuS": time.process_time() - cpu0}


def measure_request_reply(dev, seconds, runs, in_flight):
    """Sequential and in-flight windows of each operation, `runs` times each."""
    sync = sync_calls(dev)
    asynch = asynch_calls(dev)
    report = {}
    for op, call in sync.items():
        log("request-reply: %s" % op)
        for _ in range(WARMUP_CALLS):
            call()
        sequential, flying = [], []
        for _ in range(runs):
            sequential.append(window_sequential(call, seconds))
            if op in asynch:
                send, reply = asynch[op]
                flying.append(window_asynch(send, reply, seconds, in_flight))
            else:
                flying.append(window_threads(call, seconds, in_flight))
        if op in asynch:
            send_name = {"command_inout DevDouble": "command_inout_asynch",
                         "write double_scalar": "write_attribute_asynch"}.get(op, "read_attribute_asynch")
            note = ASYNCH_NOTE.format(n=in_flight, send=send_name,
                                      reply=send_name.replace("_asynch", "_reply"))
        else:
            note = THREADS_NOTE.format(n=in_flight)
        report[op] = {"sequential": sequential, "inFlight": flying, "note": note}
    return report


def calls_for(n):
    """Timed calls per size: many for small arrays, 8 at a million (each costs tens of ms)."""
    return 200 if n <= 10000 else 40 if n <= 100000 else 8


def time_calls(call, n):
    """Per-call ms after warm-ups: 20 at every size, as the TS client's (large-data.ts: glibc's
    malloc maps the first multi-megabyte buffers afresh until its mmap threshold has adapted)."""
    for _ in range(20):
        call()
    out = []
    for _ in range(calls_for(n)):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def check_array(what, got, sent):
    if got is None or len(got) != len(sent):
        fail("%s: %s values back for %d sent" % (what, None if got is None else len(got), len(sent)))
    for i in (0, len(sent) // 2, len(sent) - 1):
        if got[i] != sent[i]:
            fail("%s: value %d is %r, sent %r" % (what, i, got[i], sent[i]))


def measure_command(dev, sizes):
    """DevVarDoubleArray round trip: n float64 out, the same n back."""
    times = {}
    for n in sizes:
        log("large data: DevVarDoubleArray, %d doubles" % n)
        arr = np.arange(n, dtype=np.float64) * 0.5 + 1.0
        check_array("DevVarDoubleArray(%d)" % n, dev.command_inout("DevVarDoubleArray", arr), arr)
        times[str(n)] = time_calls(lambda: dev.command_inout("DevVarDoubleArray", arr), n)
    return times


def measure_spectrum_read(dev, sizes):
    """Reads of n doubles from double_spectrum, after writing n; null where it cannot hold n."""
    max_x = dev.get_attribute_config("double_spectrum").max_dim_x
    times, notes, too_big = {}, [], []
    for n in sizes:
        if n > max_x:
            too_big.append(n)
            times[str(n)] = None
            continue
        arr = np.arange(n, dtype=np.float64) + 0.25
        dev.write_attribute("double_spectrum", arr)
        got = dev.read_attribute("double_spectrum").value
        got_n = 0 if got is None else len(got)
        if got_n != n:
            # TangoTest.cpp copies at most kSpecLen (256) written values into the read buffer,
            # whatever max_dim_x says; the reply would carry got_n read values plus n set-point ones.
            times[str(n)] = None
            notes.append("cppTango TangoTest's double_spectrum reads back %d of %d written values "
                         "(its read buffer is %d long; max_dim_x %d bounds only the write): %d not "
                         "measured, and no other double spectrum of TangoTest is longer"
                         % (got_n, n, got_n, max_x, n))
            continue
        check_array("double_spectrum(%d)" % n, got, arr)
        log("large data: double_spectrum read, %d doubles" % n)
        times[str(n)] = time_calls(lambda: dev.read_attribute("double_spectrum"), n)
    if too_big:
        notes.append("cppTango TangoTest's double_spectrum holds at most %d values: %s not measured"
                     % (max_x, " and ".join(str(n) for n in too_big)))
    return times, notes


def measure_image_read(dev):
    """The largest double read TangoTest offers: double_image_ro, 251 x 251, as a note."""
    attr = dev.read_attribute("double_image_ro")
    n = attr.dim_x * attr.dim_y
    times = sorted(time_calls(lambda: dev.read_attribute("double_image_ro"), 10000))
    ms = times[len(times) // 2]
    return ("for scale: reading double_image_ro (%d x %d = %d doubles) takes %.3f ms (%.0f MB/s)"
            % (attr.dim_x, attr.dim_y, n, ms, n * 8 / 1e6 / (ms / 1000.0)))


def main():
    params = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    dev = tango.DeviceProxy(params["trl"])
    dev.set_timeout_millis(TIMEOUT_MS)
    check_echoes(dev)
    request_reply = measure_request_reply(dev, float(params["seconds"]), int(params["runs"]),
                                          int(params["in_flight"]))
    sizes = [int(n) for n in params["sizes"]]
    command = measure_command(dev, sizes)
    spectrum, notes = measure_spectrum_read(dev, sizes)
    notes.append(measure_image_read(dev))
    json.dump({
        "versions": {"pytango": tango.__version__,
                     "cppTango": tango.constants.Runtime.TANGO_VERSION},
        "requestReply": request_reply,
        "largeData": {"command": command, "spectrumRead": spectrum, "notes": notes},
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
