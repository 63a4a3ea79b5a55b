import { expect } from "chai";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runServe, type ServeProcess } from "../../src/cli/serve.js";
import { ExitCode } from "../../src/cli/verb.js";

/** Signals and exit, without touching the test process. */
class FakeProcess extends EventEmitter implements ServeProcess {
  exit(): void { /* runServe returns its code; nothing to do */ }
}

/** Collects what is written, lines of JSON logs or stderr text. */
class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe("tango-grpc serve with an unusable property store", () => {
  let dir: string;
  let storePath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-serve-store-"));
    storePath = join(dir, "properties.json");
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  async function serve(): Promise<{ code: number; stderr: string; log: string }> {
    const stderr = new Sink();
    const log = new Sink();
    const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_STORE_PATH: storePath };
    const code = await runServe({ env, process: new FakeProcess(), logDestination: log, stderr });
    return { code, stderr: stderr.text, log: log.text };
  }

  for (const [what, write, problem] of [
    ["empty", () => writeFileSync(storePath, ""), "is damaged: line 1: the file is empty"],
    ["truncated", () => writeFileSync(storePath, '{\n  "sys/tg_test/1": {\n    "Speed": ["1"'), "is damaged: not valid JSON"],
    ["wrongly shaped", () => writeFileSync(storePath, '{"sys/tg_test/1": ["Speed", "1"]}'), 'is damaged: owner "sys/tg_test/1": properties are not an object'],
    ["a directory", () => mkdirSync(storePath), "cannot be read: EISDIR"],
  ] as const) {
    it(`exits with code 4 naming the file when the store is ${what}`, async () => {
      write();
      const { code, stderr, log } = await serve();
      expect(code).to.equal(ExitCode.StoreUnusable);
      expect(stderr).to.contain(`tango-grpc: The property store ${storePath} ${problem}`);
      const fatal = log.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 60);
      expect(fatal).to.include({ msg: "startup failed: the property store is unusable", storePath });
      expect(log).to.not.contain("TypeError");
    });
  }
});
