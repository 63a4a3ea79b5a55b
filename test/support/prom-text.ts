/** One sample line of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a text exposition (comments skipped); fails on a line it cannot read. */
export function parseSamples(text: string): Sample[] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((line) => {
    const m = LINE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (m[2] ?? "").matchAll(LABEL)) {
      labels[key ?? ""] = (raw ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    return { name: m[1] ?? "", labels, value: Number(m[3]) };
  });
}

/**
 * The samples named `name` as `{ "<label values joined by |>": value }`; fails when a sample has
 * other labels than `keys`, or when two samples share their label values.
 */
export function tableOf(samples: readonly Sample[], name: string, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples.filter((x) => x.name === name)) {
    const names = Object.keys(s.labels).sort();
    if (names.join() !== [...keys].sort().join()) throw new Error(`${name} has labels ${names.join()}, expected ${keys.join()}`);
    const key = keys.map((k) => s.labels[k]).join("|");
    if (key in out) throw new Error(`${name}{${key}} appears twice`);
    out[key] = s.value;
  }
  return out;
}
