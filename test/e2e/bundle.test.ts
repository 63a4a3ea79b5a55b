import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { BUNDLE_PATH, LIB_DIR, bundle } from "../../scripts/bundle.js";
import { DeviceProxy } from "../../src/client/index.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 10_000;

/** Resolves with the ready line's fields, or rejects with the output once the child exits or the time is up. */
function readyLine(child: ChildProcess, output: () => string): Promise<{ grpcPort: number; httpPort: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready:\n${output()}`));
    };
    child.once("exit", onExit);
    child.stdout?.on("data", () => {
      const line = output().split("\n").find((l) => l.includes("Ready to accept request"));
      if (line === undefined) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
    });
  });
}

// The program as npm start, the package's bin and the container run it (scripts/bundle.ts),
// built from the sources under test, with the package's entry points and their shared chunks.
describe(`the bundled program (${BUNDLE_PATH}) and entry points (${LIB_DIR})`, function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let written: string[] = [];

  before(async () => {
    written = await bundle();
  });
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
    child = undefined;
  });

  it("serves TangoTest on gRPC and HTTP, then exits 0 on SIGTERM", async () => {
    let out = "";
    const proc = spawn(process.execPath, [BUNDLE_PATH, "serve"], {
      cwd: REPO_ROOT,
      env: { ...process.env, TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout.setEncoding("utf8").on("data", (s: string) => { out += s; });
    proc.stderr.setEncoding("utf8").on("data", (s: string) => { out += s; });
    const { grpcPort, httpPort } = await readyLine(proc, () => out);

    const dev = new DeviceProxy(`tango://127.0.0.1:${grpcPort}/sys/tg_test/1`);
    try {
      expect(await dev.commandInout("DevVarDoubleArray", [1.5, -2])).to.deep.equal(Float64Array.from([1.5, -2]));
      await dev.writeAttribute("long64_scalar", 9007199254740993n);
      expect((await dev.readAttribute("long64_scalar")).wValue).to.equal(9007199254740993n);
    } finally {
      dev.close();
    }
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(ready.status).to.equal(200);
    // A REST route: its schemas compile on first use (src/http/lazy-compilers.ts).
    const state = await fetch(`http://127.0.0.1:${httpPort}/api/v1/devices/sys/tg_test/1/state`);
    expect(await state.json()).to.deep.include({ state: "RUNNING" });

    const exited = once(proc, "exit");
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), EXIT_TIMEOUT_MS);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    expect(code, out).to.equal(0);
  });

  it("is Latin-1 throughout, so that V8 holds its source at one byte a character", () => {
    expect(written).to.include.members([BUNDLE_PATH, `${LIB_DIR}/index.js`, `${LIB_DIR}/client.js`, `${LIB_DIR}/testing.js`]);
    const texts = written.map((file) => readFileSync(join(REPO_ROOT, file), "utf8"));
    expect(texts.reduce((n, text) => n + text.length, 0)).to.be.greaterThan(100_000);
    for (const [i, text] of texts.entries()) expect(/[^\u0000-\u00ff]/u.exec(text)?.[0], written[i]).to.equal(undefined);
  });

  it("prints the package version", async () => {
    const proc = spawn(process.execPath, [BUNDLE_PATH, "--version"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (s: string) => { out += s; });
    const [code] = (await once(proc, "exit")) as [number | null];
    expect(code).to.equal(0);
    expect(out.trim()).to.match(/^\d+\.\d+\.\d+/);
  });
});
