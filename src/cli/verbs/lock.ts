import { setTimeout as sleep } from "node:timers/promises";
import { Defaults } from "../../core/index.js";
import { TRL_ARGUMENT } from "../client-help.js";
import { UsageError, defineClientVerb, stringOption } from "../client-verb.js";
import { formatFields } from "../format.js";
import { ExitCode, type Verb } from "../verb.js";

const EXAMPLE_TRL = "tango://localhost:50051/sys/tg_test/1";

/** `--validity`: whole seconds, at least the minimum; the client's default when not given. */
function parseValidity(text: string | undefined): number {
  if (text === undefined) return Defaults.CLIENT_LOCK_VALIDITY_S;
  const s = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(s) && s >= Defaults.CLIENT_MIN_LOCK_VALIDITY_S)) {
    throw new UsageError(`--validity ${JSON.stringify(text)}: give a whole number of seconds, at least ${Defaults.CLIENT_MIN_LOCK_VALIDITY_S}`);
  }
  return s;
}

/** `--for`: a positive number of seconds (decimals allowed), or undefined when not given. */
function parseHoldSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!(s > 0 && s * 1000 <= 2 ** 31 - 1)) throw new UsageError(`--for ${JSON.stringify(text)}: give a positive number of seconds`);
  return s;
}

/** `tango-grpc lock <trl>`: take a device's lock and hold it until stopped. */
export const lockVerb: Verb = defineClientVerb({
  name: "lock",
  summary: "lock a device and hold the lock until stopped (Ctrl-C, SIGTERM, --for)",
  usage: "tango-grpc lock <trl> [--validity <s>] [--for <s>] [options]",
  description: `
Locks the device (Tango's LockDevice, through its admin device) and holds the
lock: other clients cannot run its commands (except State, Status and the
class's AllowedAccessCmd), write its attributes or pipes, or change their
configuration; they can still read. While it holds the lock the verb relocks
it every <validity> - 0.5 seconds. On SIGINT (Ctrl-C), SIGTERM or when --for
ends it unlocks the device and exits 0.
The verb must keep running for the lock to last: a lock belongs to the client
that took it and ends when that client's connection closes (and when it stops
relocking for <validity> seconds), so a "tango-grpc lock" that exited would
hold nothing. If the lock is lost meanwhile (the server restarted, another
client forced it open with "tango-grpc unlock --force"), the verb says so on
stderr and exits 1.
Prints "locked <device> (validity <s> s)" once locked, and "unlocked <device>"
at the end.`,
  arguments: [TRL_ARGUMENT],
  optionsHelp: [
    ["--validity <s>", `seconds the lock lasts without a relock: a whole number, at least ${Defaults.CLIENT_MIN_LOCK_VALIDITY_S} (default ${Defaults.CLIENT_LOCK_VALIDITY_S})`],
    ["--for <s>", "hold the lock that many seconds, then unlock and exit (default: until stopped)"],
  ],
  options: { validity: { type: "string" }, for: { type: "string" } },
  isJsonLines: true,
  jsonHelp: '{"device", "locked": true, "validity" (seconds), "status"} once locked, {"device", "locked": false} once unlocked',
  okHelp: "held, then unlocked after SIGINT, SIGTERM or --for",
  examples: [`tango-grpc lock ${EXAMPLE_TRL}`, "tango-grpc lock localhost:50051/sys/tg_test/1 --validity 5 --for 60 --json"],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], values, openDevice, print, io }) {
    const validityS = parseValidity(stringOption(values, "validity"));
    const forS = parseHoldSeconds(stringOption(values, "for"));
    const proxy = openDevice(trl);
    await proxy.lock(validityS);
    const status = await proxy.lockingStatus();
    print(() => `locked ${proxy.name} (validity ${validityS} s)\n`, () => ({ device: proxy.name, locked: true, validity: validityS, status }));
    const stops = [...(io.signal === undefined ? [] : [io.signal]), ...(forS === undefined ? [] : [AbortSignal.timeout(forS * 1000)])];
    const stop = AbortSignal.any(stops);
    // Checked as often as the proxy relocks: a lock lost meanwhile ends the verb.
    const checkMs = validityS * 1000 - Defaults.CLIENT_RELOCK_MARGIN_MS;
    while (!stop.aborted) {
      try {
        await sleep(checkMs, undefined, { signal: stop });
      } catch (err) {
        if (stop.aborted) break;
        throw err;
      }
      if (!(await proxy.isLockedByMe())) {
        io.stderr.write(`tango-grpc: lock: ${proxy.name}: the lock was lost: ${await proxy.lockingStatus()}\n`);
        return ExitCode.Failure;
      }
    }
    await proxy.unlock();
    print(() => `unlocked ${proxy.name}\n`, () => ({ device: proxy.name, locked: false }));
    return ExitCode.Ok;
  },
});

/** `tango-grpc unlock <trl>`: release a device's lock. */
export const unlockVerb: Verb = defineClientVerb({
  name: "unlock",
  summary: "release a device's lock (another client's with --force)",
  usage: "tango-grpc unlock <trl> [--force] [options]",
  description: `
Unlocks the device (Tango's UnLockDevice, through its admin device) and prints
the lock counter the server gives back ("unlocked <device>" at 0).
A lock belongs to the client that took it (its host, process and proxy), and
each run of tango-grpc is a new client: without --force, unlock only succeeds
when nobody holds the device (it then does nothing); a lock held by another
client is refused with API_DeviceLocked. "tango-grpc lock" releases its own
lock when it stops.
--force releases the lock whoever holds it; the owner's next locked request
then fails with API_DeviceUnlocked. On a server with access control this is
an administrator's request: give a token with the right to it (--token or
$TANGO_TOKEN).`,
  arguments: [TRL_ARGUMENT],
  optionsHelp: [["--force", "release the lock whoever holds it"]],
  options: { force: { type: "boolean" } },
  jsonHelp: '{"device", "counter"}: the lock counter left, 0 when released',
  examples: [`tango-grpc unlock ${EXAMPLE_TRL} --force`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], values, openDevice, print }) {
    const proxy = openDevice(trl);
    const counter = await proxy.unlock(values.force === true);
    print(
      () => counter === 0 ? `unlocked ${proxy.name}\n` : `${proxy.name} still locked (counter ${counter})\n`,
      () => ({ device: proxy.name, counter }),
    );
  },
});

/** `tango-grpc lock-status <trl>`: whether a device is locked, and by whom. */
export const lockStatusVerb: Verb = defineClientVerb({
  name: "lock-status",
  summary: "print whether a device is locked, and by whom",
  usage: "tango-grpc lock-status <trl> [options]",
  description: `
Prints the device's lock status (Tango's DevLockStatus, through its admin
device): the server's sentence, such as "Device sys/tg_test/1 is not locked",
and, when it is locked, who holds it: the client's host, process id, address
and language (CPP for any client that sends its process id, as cppTango
says, JAVA otherwise).`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "locked", "status", "locker": {"host", "pid", "address", "language", "lockerClass"} or null}',
  examples: [`tango-grpc lock-status ${EXAMPLE_TRL}`, `tango-grpc lock-status ${EXAMPLE_TRL} --json`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const locker = await proxy.getLocker();
    const status = locker?.status ?? await proxy.lockingStatus();
    print(
      () => locker === undefined ? `${status}\n` : `${status}\n${formatFields([
        ["host", locker.host], ["pid", String(locker.pid)], ["address", locker.address], ["language", locker.language],
      ])}`,
      () => ({
        device: proxy.name, locked: locker !== undefined, status,
        locker: locker === undefined ? null : {
          host: locker.host, pid: locker.pid, address: locker.address, language: locker.language, lockerClass: locker.lockerClass,
        },
      }),
    );
  },
});
