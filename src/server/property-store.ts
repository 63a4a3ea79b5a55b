import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { dirname } from "node:path";
import { DevFailed, Reason } from "../core/index.js";

type Props = Map<string, { name: string; values: readonly string[] }>;

/**
 * Device and class properties without a database (spec §7, §15): the config file's values, with
 * values put at run time on top. With a path, run-time changes are kept in a JSON file written
 * atomically (temp file, fsync, rename: DESIGN §5), so they survive restarts.
 */
export class PropertyStore {
  readonly #configured = new Map<string, Props>();
  readonly #runtime = new Map<string, Map<string, { name: string; values: readonly string[] } | null>>();
  readonly #path: string | undefined;

  constructor(path?: string) {
    this.#path = path;
    if (path !== undefined) this.#load(path);
  }

  #load(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw DevFailed.of(Reason.CannotOpenFile, `Cannot read the property store ${path}: ${(err as Error).message}`, "PropertyStore::load");
    }
    const data = JSON.parse(text) as Record<string, Record<string, string[] | null>>;
    for (const [owner, props] of Object.entries(data)) {
      const m = new Map<string, { name: string; values: readonly string[] } | null>();
      for (const [name, values] of Object.entries(props)) m.set(name.toLowerCase(), values === null ? null : { name, values });
      this.#runtime.set(owner.toLowerCase(), m);
    }
  }

  #save(): void {
    if (this.#path === undefined) return;
    const out: Record<string, Record<string, readonly string[] | null>> = {};
    for (const [owner, m] of this.#runtime) {
      out[owner] = {};
      for (const [key, p] of m) out[owner][p?.name ?? key] = p === null ? null : p.values;
    }
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(out, null, 2));
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#path);
  }

  /** Sets what the config file says for an owner (a device name, or `class:<Class>`). */
  configure(owner: string, props: Readonly<Record<string, readonly string[]>>): void {
    const m: Props = new Map();
    for (const [name, values] of Object.entries(props)) m.set(name.toLowerCase(), { name, values });
    this.#configured.set(owner.toLowerCase(), m);
  }

  /** The values of one property, or undefined when it is not set. */
  get(owner: string, name: string): readonly string[] | undefined {
    const key = name.toLowerCase();
    const rt = this.#runtime.get(owner.toLowerCase())?.get(key);
    if (rt === null) return undefined;
    if (rt !== undefined) return rt.values;
    return this.#configured.get(owner.toLowerCase())?.get(key)?.values;
  }

  /** Every property set for an owner. */
  list(owner: string): { name: string; values: readonly string[] }[] {
    const merged = new Map(this.#configured.get(owner.toLowerCase()) ?? []);
    for (const [key, p] of this.#runtime.get(owner.toLowerCase()) ?? []) {
      if (p === null) merged.delete(key);
      else merged.set(key, p);
    }
    return [...merged.values()];
  }

  /** Sets properties at run time (kept in the file when there is one). */
  put(owner: string, props: ReadonlyArray<{ name: string; values: readonly string[] }>): void {
    const key = owner.toLowerCase();
    const m = this.#runtime.get(key) ?? new Map<string, { name: string; values: readonly string[] } | null>();
    for (const p of props) m.set(p.name.toLowerCase(), { name: p.name, values: [...p.values] });
    this.#runtime.set(key, m);
    this.#save();
  }

  /** Deletes properties at run time (a configured value is hidden too). */
  delete(owner: string, names: readonly string[]): void {
    const key = owner.toLowerCase();
    const m = this.#runtime.get(key) ?? new Map<string, { name: string; values: readonly string[] } | null>();
    for (const n of names) m.set(n.toLowerCase(), null);
    this.#runtime.set(key, m);
    this.#save();
  }
}
