import { DevSource, TangoErrors } from "../core/index.js";
import type { ClientIdentity } from "./request-api.js";
import type { Principal } from "./access/access-policy.js";

/** One blackbox record: kept structured, formatted only when read (the request path stays cheap). */
interface BlackBoxRecord {
  readonly timeMs: number;
  /** `Operation` (an IDL operation) or `Attribute` (a CORBA attribute such as state). */
  readonly kind: "Operation" | "Attribute";
  /** The operation label of spec §10.2, e.g. `command_inout_4 (cmd = Init)` or `state`. */
  readonly what: string;
  readonly source?: DevSource;
  readonly client?: ClientIdentity;
  /** Replaces "requested from <host>": "polling", "user thread", … */
  readonly origin?: string;
  /** Whether the operation carries the client identity (spec §10.7: the _4/_5 variants). */
  readonly withIdent: boolean;
  /** Who the caller authenticated as; shown (` as token "ops"`) unless anonymous, so cppTango's lines stay as they were. */
  readonly principal?: Principal;
}

const SOURCE_WORD: Record<DevSource, string> = {
  [DevSource.DEV]: "device",
  [DevSource.CACHE]: "cache",
  [DevSource.CACHE_DEV]: "cache_device",
};

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** cppTango's line (spec §10.7): `DD/MM/YYYY HH:MM:SS:cc : Operation … requested from <host> (…)`. */
export function formatBlackBoxRecord(r: BlackBoxRecord): string {
  const t = new Date(r.timeMs);
  const stamp = `${two(t.getDate())}/${two(t.getMonth() + 1)}/${t.getFullYear()} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}:${two(Math.floor(t.getMilliseconds() / 10))}`;
  let line = `${stamp} : ${r.kind} ${r.what} `;
  if (r.source !== undefined) line += `from ${SOURCE_WORD[r.source]} `;
  if (r.origin !== undefined) return `${line}requested from ${r.origin}`;
  line += `requested from ${r.client?.host ?? "unknown"}`;
  const c = r.client;
  if (r.withIdent && c !== undefined) {
    if (c.mainClass !== undefined) line += ` (Java client with main class ${c.mainClass})`;
    else if (c.pid !== undefined) {
      const lang = c.language === undefined || /^(cpp|python|c\+\+)$/i.test(c.language) ? "CPP/Python" : c.language;
      line += ` (${lang} client with PID ${c.pid})`;
    }
  }
  if (r.principal !== undefined && r.principal.kind !== "anonymous") line += ` as ${r.principal.label}`;
  return line;
}

/** A device's blackbox: a ring of the last `depth` requests (spec §10.7). */
export class BlackBox {
  readonly #ring: (BlackBoxRecord | undefined)[];
  #next = 0;
  #count = 0;

  constructor(depth: number) {
    this.#ring = new Array<BlackBoxRecord | undefined>(depth);
  }

  /** Records a request as it arrives, before any check. */
  record(r: BlackBoxRecord): void {
    this.#ring[this.#next] = r;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#count < this.#ring.length) this.#count++;
  }

  /** The newest `n` records, newest first (spec §10.7 item 4). */
  read(n: number): string[] {
    if (!Number.isInteger(n) || n <= 0) throw TangoErrors.blackBoxArgument();
    if (this.#count === 0) throw TangoErrors.blackBoxEmpty();
    const k = Math.min(n, this.#count);
    const out: string[] = new Array(k);
    const len = this.#ring.length;
    for (let i = 0; i < k; i++) {
      const r = this.#ring[(this.#next - 1 - i + len * 2) % len];
      if (r !== undefined) out[i] = formatBlackBoxRecord(r);
    }
    return out;
  }
}

export type { BlackBoxRecord };
