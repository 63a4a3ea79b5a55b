import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevFailed, Reason } from "../../src/client/index.js";
import { encodeRecord, HEADER } from "../../src/server/store/journal-records.js";
import { runCliProcess } from "../support/cli-process.js";
import { proxyPool } from "../support/proxy-pool.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { expectDevFailed } from "../support/test-server.js";

/** Starting a server from source takes ~2 s here; a loaded machine gets more. */
const RUN_TIMEOUT_MS = 20_000;

describe("the property store of a server process", function () {
  this.timeout(4 * RUN_TIMEOUT_MS);
  let dir: string;
  let storePath: string;
  let sp: ServerProcess | undefined;
  const children: ChildProcess[] = [];
  const pool = proxyPool((device) => sp?.trl(device) ?? device);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-store-e2e-"));
    storePath = join(dir, "data", "properties.jsonl");
  });
  afterEach(async () => {
    pool.closeAll();
    await sp?.close();
    sp = undefined;
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a failed write with API_DatabaseFileError naming no path, and keeps the old value, also after a restart", async () => {
    sp = await startServerProcess({ storePath });
    const dev = pool.proxy("sys/tg_test/1");
    await dev.putProperty({ Speed: "1" });
    renameSync(storePath, `${storePath}.kept`);
    mkdirSync(storePath); // an open or write that fails even for root
    const df = await expectDevFailed(dev.putProperty({ Speed: "2" }), Reason.DatabaseFileError);
    const text = df.errors.map((e) => `${e.desc} ${e.origin}`).join("\n");
    expect(text).to.contain("could not be saved").and.not.contain(dir);
    expect(await dev.getProperty("Speed")).to.deep.equal({ Speed: ["1"] });
    expect(sp.output()).to.contain("property store write failed; the changes are rolled back").and.contain(storePath);

    rmSync(storePath, { recursive: true });
    renameSync(`${storePath}.kept`, storePath);
    await sp.kill("SIGTERM");
    await sp.restart();
    expect(await pool.proxy("sys/tg_test/1").getProperty("Speed")).to.deep.equal({ Speed: ["1"] });
  });

  it("loses no acknowledged put when the process is killed with SIGKILL in the middle of puts", async () => {
    sp = await startServerProcess({ storePath });
    const dev = pool.proxy("sys/tg_test/1", { timeoutMs: 5_000 });
    const acknowledged: number[] = [];
    let next = 0;
    let isKilled = false;
    const writer = async (): Promise<void> => {
      while (!isKilled) {
        const i = next++;
        try {
          await dev.putProperty({ [`P${i}`]: [String(i), "x".repeat(200)] });
          if (!isKilled) acknowledged.push(i);
        } catch (err) {
          if (!(err instanceof DevFailed) || !isKilled) throw err;
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    const server = sp;
    isKilled = true;
    await server.kill("SIGKILL");
    await Promise.all(writers);
    await server.restart();
    const after = await pool.proxy("sys/tg_test/1").getProperty(acknowledged.map((i) => `P${i}`));
    const missing = acknowledged.filter((i) => after[`P${i}`]?.[0] !== String(i));
    expect(missing, `acknowledged puts lost after SIGKILL (of ${acknowledged.length})`).to.deep.equal([]);
  });

  it("refuses to start on a damaged store with exit code 4 and a message naming the file, and starts with --repair", async () => {
    mkdirSync(join(dir, "data"));
    const config = join(dir, "server.json");
    writeFileSync(config, JSON.stringify({
      server: "Store", instance: "e2e", storePath,
      grpc: { host: "127.0.0.1", port: 0 }, http: { host: "127.0.0.1", port: 0 },
      classes: [{ name: "TangoTest", devices: [{ name: "sys/tg_test/1" }] }],
    }));
    const good = encodeRecord({ t: "props", o: "sys/tg_test/1", p: { Speed: ["7"] } });
    writeFileSync(storePath, `${encodeRecord(HEADER)}${good}{"torn": "middle\n${good}`);

    const refused = await runCliProcess(["serve", "--config", config], { timeoutMs: RUN_TIMEOUT_MS, onSpawn: (c) => children.push(c) });
    expect(refused.code, refused.stderr).to.equal(4);
    expect(refused.stderr, refused.stderr).to.contain(`The property store ${storePath} is damaged: line 3: checksum mismatch`).and.contain("--repair");

    const { stdout, code } = await runUntilReady(["serve", "--config", config, "--repair"]);
    expect(code, stdout).to.equal(0);
    const aside = readdirSync(join(dir, "data")).filter((f) => f.startsWith("properties.jsonl.damaged-"));
    expect(aside).to.have.length(1);
    expect(stdout).to.contain("property store was damaged: moved aside");
    expect(existsSync(storePath)).to.equal(true);

    const again = await runUntilReady(["serve", "--config", config]);
    expect(again.code, "the repaired store starts without --repair").to.equal(0);
  });

  /** Runs `tango-grpc` until it logs that it is ready, then stops it with SIGTERM. */
  async function runUntilReady(args: readonly string[]): Promise<{ stdout: string; code: number | null }> {
    let stdout = "";
    let isStopping = false;
    const result = runCliProcess(args, {
      timeoutMs: RUN_TIMEOUT_MS,
      onSpawn: (c) => {
        children.push(c);
        c.stdout?.on("data", (chunk: Buffer | string) => {
          stdout += chunk.toString();
          // once: a second SIGTERM after the shutdown would end the process by the signal
          if (!isStopping && stdout.includes("Ready to accept request")) {
            isStopping = true;
            c.kill("SIGTERM");
          }
        });
      },
    });
    const { code } = await result;
    return { stdout, code };
  }
});
