import type { Logger } from "pino";
import { DevFailed, Reason, TangoErrors } from "../../core/index.js";
import type { Store } from "../store/store.js";

/** What a polled object is. */
export type PollKind = "attribute" | "command";

const POLLED: Readonly<Record<PollKind, string>> = { attribute: "polled_attr", command: "polled_cmd" };
const STOPPED: Readonly<Record<PollKind, string>> = { attribute: "non_auto_polled_attr", command: "non_auto_polled_cmd" };
const MIN_PERIOD: Readonly<Record<PollKind, string>> = { attribute: "attr_min_poll_period", command: "cmd_min_poll_period" };

/**
 * A device's polling configuration as Tango keeps it, in device properties (spec §11.1 item 6,
 * §11.2): `polled_attr` and `polled_cmd` (flat lists `name, period, name, period…`),
 * `non_auto_polled_attr`/`_cmd` (declared defaults an admin stopped), the period floors
 * `min_poll_period`, `attr_min_poll_period`/`cmd_min_poll_period` (`name, min…`),
 * `poll_ring_depth` and `poll_old_factor`. Names are kept in lower case, as cppTango writes them.
 */
export class PollingConfig {
  readonly #store: Store;
  readonly #device: string;

  constructor(store: Store, device: string) {
    this.#store = store;
    this.#device = device;
  }

  /** An integer device property, or undefined when unset or not an integer. */
  intProperty(name: string): number | undefined {
    const value = this.#store.get(this.#device, name)?.[0];
    const n = value === undefined ? NaN : Number(value);
    return Number.isInteger(n) ? n : undefined;
  }

  /** The (name, period) pairs of `polled_attr` or `polled_cmd`; a malformed pair is logged and skipped. */
  remembered(kind: PollKind, log: Logger): Array<[string, number]> {
    const list = this.#store.get(this.#device, POLLED[kind]) ?? [];
    const out: Array<[string, number]> = [];
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] ?? "";
      const period = Number(list[i + 1]);
      if (name === "" || !Number.isInteger(period) || period < 0) {
        log.warn({ device: this.#device, property: POLLED[kind], entry: list.slice(i, i + 2) }, "malformed polling configuration entry; skipped");
        continue;
      }
      out.push([name, period]);
    }
    return out;
  }

  /** The lower-case names of declared defaults an admin stopped polling. */
  stopped(kind: PollKind): Set<string> {
    return new Set((this.#store.get(this.#device, STOPPED[kind]) ?? []).map((n) => n.toLowerCase()));
  }

  /** Notes that an object is polled with a period (AddObjPolling, UpdObjPollingPeriod). */
  remember(kind: PollKind, name: string, periodMs: number): Promise<void> {
    const pairs = this.#pairs(kind).filter(([n]) => n !== name);
    pairs.push([name, String(periodMs)]);
    const saves = [this.#put(POLLED[kind], pairs.flat())];
    const stopped = this.stopped(kind);
    if (stopped.delete(name)) saves.push(this.#put(STOPPED[kind], [...stopped]));
    return allSaved(saves);
  }

  /** Notes that an object is no longer polled (RemObjPolling); a declared default is noted as stopped. */
  forget(kind: PollKind, name: string, isDeclaredDefault: boolean): Promise<void> {
    const saves = [this.#put(POLLED[kind], this.#pairs(kind).filter(([n]) => n !== name).flat())];
    if (isDeclaredDefault) {
      const stopped = this.stopped(kind);
      stopped.add(name);
      saves.push(this.#put(STOPPED[kind], [...stopped]));
    }
    return allSaved(saves);
  }

  /**
   * cppTango's check_upd_authorized: the object's own floor (`attr_min_poll_period` or
   * `cmd_min_poll_period`), else the device's `min_poll_period`. Throws API_MethodArgument below
   * it, API_BadConfigurationProperty for a floor that is not a number.
   */
  checkMinPeriod(kind: PollKind, name: string, periodMs: number): void {
    const list = this.#store.get(this.#device, MIN_PERIOD[kind]) ?? [];
    const i = list.findIndex((n, j) => j % 2 === 0 && n.toLowerCase() === name);
    let min: number;
    if (i >= 0) {
      min = Number(list[i + 1]);
      if (!Number.isInteger(min)) {
        throw DevFailed.of(Reason.BadConfigurationProperty,
          `System property ${MIN_PERIOD[kind]} for device ${this.#device} has wrong syntax`, "DServer::check_upd_uthorized()");
      }
    } else {
      min = this.intProperty("min_poll_period") ?? 0;
    }
    if (min !== 0 && periodMs < min) throw TangoErrors.belowConfiguredMinPeriod(kind, name, min);
  }

  #pairs(kind: PollKind): Array<[string, string]> {
    const list = this.#store.get(this.#device, POLLED[kind]) ?? [];
    const out: Array<[string, string]> = [];
    for (let i = 0; i + 1 < list.length; i += 2) out.push([(list[i] as string).toLowerCase(), list[i + 1] as string]);
    return out;
  }

  /** Resolves once saved (Store.put). */
  #put(property: string, values: readonly string[]): Promise<void> {
    if (values.length === 0) {
      return this.#store.get(this.#device, property) !== undefined ? this.#store.delete(this.#device, [property]) : Promise.resolve();
    }
    return this.#store.put(this.#device, [{ name: property, values }]);
  }
}

/** Waits for every save, so none is left unobserved, then fails with the first failure. */
async function allSaved(saves: ReadonlyArray<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(saves);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
