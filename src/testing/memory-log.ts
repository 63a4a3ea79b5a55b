import { pino, type Logger } from "pino";

/** The levels of a test context's log, quietest last. */
export type TestLogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** Where a test context's log lines are copied as they are written: `process.stderr`, a file stream, a spy. */
export interface TestLogDestination {
  /** Gets one JSON line, newline included. */
  write(line: string): unknown;
}

/** One log record as pino wrote it: `level` (30 info, 40 warn, 50 error), `msg`, `device`, `err`, ... */
export type TestLogRecord = Readonly<Record<string, unknown>>;

/**
 * The newest records a context keeps: a test that logs in a loop must not grow the heap without
 * bound, and the last lines are the ones that explain a failure.
 */
export const MAX_KEPT_LOG_LINES = 10_000;

/**
 * A log kept in memory (pino's test/helper.js idea), the last MAX_KEPT_LOG_LINES lines, each
 * also copied to `destination` when one is given. Writing is synchronous: no stream, no handle.
 *
 * @internal
 */
export class MemoryLog {
  readonly logger: Logger;
  readonly #lines: string[] = [];
  readonly #destination: TestLogDestination | undefined;

  constructor(level: TestLogLevel, destination?: TestLogDestination) {
    this.#destination = destination;
    this.logger = pino({ level, serializers: { err: pino.stdSerializers.err } }, { write: (line: string) => this.#write(line) });
  }

  #write(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > MAX_KEPT_LOG_LINES) this.#lines.shift();
    this.#destination?.write(line);
  }

  /** The kept records, oldest first. */
  records(): TestLogRecord[] {
    return this.#lines.map((line) => JSON.parse(line) as TestLogRecord);
  }
}
