import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import type { ServeProcess } from "../../src/cli/serve.js";

const WAIT_MS = 10_000;

/** One JSON line of the server's log. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** The server's JSON log lines (a pino destination), with a bounded wait for one that matches. */
export class LogSink extends Writable {
  readonly lines: LogLine[] = [];
  #partial = "";

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const parts = (this.#partial + chunk.toString()).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const part of parts) if (part !== "") this.lines.push(JSON.parse(part) as LogLine);
    this.emit("line");
    done();
  }

  /** The first line whose msg is `msg`. */
  find(msg: string): LogLine | undefined {
    return this.lines.find((l) => l.msg === msg);
  }

  /** Resolves with the `count`-th line whose msg is `msg`; rejects after 10 s. */
  waitFor(msg: string, count = 1): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const line = this.lines.filter((l) => l.msg === msg)[count - 1];
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`no log line "${msg}" (#${count}) within ${WAIT_MS} ms`)); }, WAIT_MS);
      const cleanup = (): void => { clearTimeout(timer); this.off("line", check); };
      this.on("line", check);
      check();
    });
  }
}

/** Signals and exit for runServe, without touching the test process. */
export class FakeProcess extends EventEmitter implements ServeProcess {
  /** The codes runServe asked to exit with (on a second signal). */
  readonly exitCodes: number[] = [];
  exit(code: number): void { this.exitCodes.push(code); }
}
