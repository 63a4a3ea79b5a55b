import { setTimeout as sleep } from "node:timers/promises";

/*
 * A Server-Sent Events client for tests: messages parsed as they arrive, every wait bounded.
 */

type Json = Record<string, unknown>;

/** One SSE message: its fields, and its comment lines (a heartbeat is a message of comments only). */
export interface SseMessage {
  readonly event?: string;
  readonly id?: string;
  readonly data?: string;
  readonly comments: readonly string[];
}

function parseMessage(block: string): SseMessage {
  const fields: Record<string, string> = {};
  const comments: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const at = line.indexOf(":");
    const name = at < 0 ? line : line.slice(0, at);
    fields[name] = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
  }
  return { event: fields.event, id: fields.id, data: fields.data, comments };
}

/** Splits SSE text into messages as it arrives. */
export class SseParser {
  #buffer = "";
  readonly messages: SseMessage[] = [];

  push(text: string): void {
    this.#buffer += text;
    for (let at = this.#buffer.indexOf("\n\n"); at >= 0; at = this.#buffer.indexOf("\n\n")) {
      this.messages.push(parseMessage(this.#buffer.slice(0, at)));
      this.#buffer = this.#buffer.slice(at + 2);
    }
  }
}

const TIMED_OUT = Symbol("timed out");
type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;

/** Reads a fetch response body as SSE messages, every wait bounded. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #parser = new SseParser();
  #taken = 0;
  #pending: Promise<ReadResult> | undefined;
  #isDone = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next message (heartbeats included), or undefined once the stream has ended. */
  async next(timeoutMs = 5_000): Promise<SseMessage | undefined> {
    const end = Date.now() + timeoutMs;
    while (this.#taken === this.#parser.messages.length) {
      if (this.#isDone) return undefined;
      const result = await this.#read(end - Date.now());
      if (result.done) this.#isDone = true;
      else this.#parser.push(this.#decoder.decode(result.value, { stream: true }));
    }
    return this.#parser.messages[this.#taken++];
  }

  /** The next message that is not a heartbeat; fails when the stream ends first. */
  async nextEvent(timeoutMs = 5_000): Promise<SseMessage> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(end - Date.now());
      if (m === undefined) throw new Error("the event stream ended");
      if (m.event !== undefined || m.data !== undefined) return m;
    }
  }

  /** The data of the next event message, parsed, with the message's event and id. */
  async nextJson(timeoutMs = 5_000): Promise<{ event?: string; id?: string; json: Json }> {
    const m = await this.nextEvent(timeoutMs);
    return { event: m.event, id: m.id, json: JSON.parse(m.data ?? "null") as Json };
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }

  async #read(timeoutMs: number): Promise<ReadResult> {
    const pending = (this.#pending ??= this.#reader.read());
    const timer = new AbortController();
    try {
      const result = await Promise.race([pending, sleep(Math.max(timeoutMs, 0), TIMED_OUT, { signal: timer.signal })]);
      if (result === TIMED_OUT) throw new Error(`no event stream data within ${timeoutMs} ms`);
      this.#pending = undefined;
      return result;
    } finally {
      timer.abort();
    }
  }
}
