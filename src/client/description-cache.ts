import type { AttributeConfig, CommandInfo } from "../core/index.js";

/**
 * A proxy's command and attribute descriptions, by lower-case name. They hold for one channel:
 * a new channel may lead to a restarted server, so the maps empty when `generation()` changes.
 *
 * @internal
 */
export class DescriptionCache {
  readonly #generation: () => number;
  #commands = new Map<string, CommandInfo>();
  #configs = new Map<string, AttributeConfig>();
  #filledIn = -1;

  constructor(generation: () => number) {
    this.#generation = generation;
  }

  get commands(): Map<string, CommandInfo> {
    this.#check();
    return this.#commands;
  }

  get configs(): Map<string, AttributeConfig> {
    this.#check();
    return this.#configs;
  }

  /**
   * The configurations of `names` (any case), asking `fetch` once for those not held yet; a name
   * the server did not describe is missing from the result.
   */
  async configsOf(names: readonly string[], fetch: (missing: string[]) => Promise<readonly AttributeConfig[]>): Promise<Map<string, AttributeConfig>> {
    const missing = names.filter((n) => !this.configs.has(n.toLowerCase()));
    if (missing.length > 0) {
      for (const c of await fetch(missing)) this.configs.set(c.name.toLowerCase(), c);
    }
    return this.configs;
  }

  /** Replaces the command descriptions (a whole command list came back). */
  setCommands(infos: readonly CommandInfo[]): void {
    this.#check();
    this.#commands = new Map(infos.map((c) => [c.name.toLowerCase(), c]));
  }

  #check(): void {
    if (this.#filledIn === this.#generation()) return;
    this.#commands = new Map();
    this.#configs = new Map();
    this.#filledIn = this.#generation();
  }
}
