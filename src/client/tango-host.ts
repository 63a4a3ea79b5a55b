import { DevFailed, Reason } from "../core/index.js";
import { parseAddress } from "./trl.js";

/** The address of one Tango database, as TANGO_HOST names it. */
export interface DatabaseAddress {
  /** Host name or IP address, lower-cased (IPv6 without brackets). */
  readonly host: string;
  /** The database's gRPC port (Tango's default is 10000). */
  readonly port: number;
  /** `host:port` (IPv6 in brackets), the gRPC target. */
  readonly address: string;
}

/** cppTango's function for the same check, so logs read alike. */
const ORIGIN = "Database::Database";

/**
 * Parses a TANGO_HOST value: `host:port`, or several databases of one control system separated
 * by commas (`db1:10000,db2:10000`), which a client tries in that order (spec §16). As in
 * cppTango, every entry names its port; IPv6 hosts are written in brackets (`[::1]:10000`).
 *
 * @example parseTangoHost("db1:10000, db2:10000") // [{ host: "db1", port: 10000, address: "db1:10000" }, { host: "db2", … }]
 * @throws DevFailed API_TangoHostNotSet with cppTango's description when the syntax is wrong.
 */
export function parseTangoHost(text: string): readonly DatabaseAddress[] {
  const entries = text.split(",").map((entry) => entry.trim());
  return Object.freeze(entries.map((entry) => {
    try {
      return Object.freeze(parseAddress(entry));
    } catch (err) {
      if (!(err instanceof DevFailed)) throw err;
      throw DevFailed.of(Reason.TangoHostNotSet,
        `TANGO_HOST env. variable syntax incorrect (e.g. TANGO_HOST=<host>:<port>,<host>:<port>)\n` +
        `${JSON.stringify(text)}: ${entry === "" ? "an entry is empty" : err.desc}`, ORIGIN);
    }
  }));
}

/**
 * The databases a proxy looks names up in: the `tangoHost` option when given, else the
 * environment's TANGO_HOST; undefined when neither is set (or both are blank).
 *
 * @throws DevFailed API_TangoHostNotSet when the value is not `host:port[,host:port…]`.
 */
export function tangoHostOf(option: string | undefined, env: string | undefined): readonly DatabaseAddress[] | undefined {
  const text = option ?? env;
  return text === undefined || text.trim() === "" ? undefined : parseTangoHost(text);
}
