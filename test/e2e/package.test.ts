import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { DeviceProxy } from "../../src/client/index.js";
import { makeConsumerProject, packTangoGrpc, type ConsumerProject, type PackedPackage } from "../support/packed-package.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSC = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
const run = promisify(execFile);
const RUN_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 10_000;

/**
 * A consumer's TypeScript: a device class of its own and the three entry points as a user imports
 * them, compiled (tsc) against the installed package.
 */
const CONSUMER_TS = `import { Device, DevDouble, DevFailed, DevState, Reason, attribute, command, serve, type RunningServer } from "tango-grpc";
import { DeviceProxy, type TangoValue } from "tango-grpc/client";
import * as testing from "tango-grpc/testing";

/** A device class in the consumer's own package. */
export class Stage extends Device {
  #position = 0;

  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble, unit: "mm" })
  get position(): number { return this.#position; }
  set position(mm: number) { this.#position = mm; }

  @command({ dtypeIn: DevDouble, allowedIn: [DevState.ON] })
  Move(mm: number): void { this.#position = mm; }
}

/** Never served: the package's types refuse a string getter under DevDouble (they are not \`any\`). */
export class Mistyped extends Device {
  // @ts-expect-error: a string is not a DevDouble
  @attribute({ dtype: DevDouble })
  get label(): string { return "stage"; }
}

export async function readPosition(trl: string): Promise<TangoValue> {
  const proxy = new DeviceProxy(trl);
  try {
    return (await proxy.readAttribute("position")).value;
  } catch (err) {
    if (err instanceof DevFailed && err.reason === Reason.CommandNotAllowed) return undefined;
    throw err;
  } finally {
    proxy.close();
  }
}

export const start: (classes: typeof Stage[]) => Promise<RunningServer> = (classes) => serve({ classes });
export const startStage = (): Promise<testing.DeviceTestContext<Stage>> => testing.DeviceTestContext.start(Stage);
`;

/** The consumer's server config: its class from its own compiled module. */
const CONSUMER_YAML = `server: Stage
instance: cli
grpc: { host: 127.0.0.1, port: 0 }
http: { host: 127.0.0.1, port: 0 }
classes:
  - name: Stage
    module: ./dist/stage.js
    devices: [{ name: test/stage/1 }]
`;

/** The same class served from the consumer's code, with serve() of the installed package. */
const CONSUMER_SERVE_MJS = `import { serve } from "tango-grpc";
import { Stage } from "./dist/stage.js";

await serve({
  classes: [Stage],
  config: {
    server: "Stage", instance: "code",
    grpc: { host: "127.0.0.1", port: 0 }, http: { host: "127.0.0.1", port: 0 },
    classes: [{ name: "Stage", devices: [{ name: "test/stage/2" }] }],
  },
});
`;

/** What the consumer's Node sees when it imports the package (printed as JSON by probe.mjs). */
interface Probe {
  readonly resolved: Record<string, string>;
  readonly exports: Record<string, string[]>;
  readonly sameDevFailed: boolean;
  readonly sameDevState: boolean;
}

const PROBE_MJS = `const entries = ["tango-grpc", "tango-grpc/client", "tango-grpc/testing"];
const modules = {};
const resolved = {};
for (const name of entries) {
  modules[name] = await import(name);
  resolved[name] = import.meta.resolve(name);
}
const lib = modules["tango-grpc"];
const client = modules["tango-grpc/client"];
console.log(JSON.stringify({
  resolved,
  exports: Object.fromEntries(entries.map((name) => [name, Object.keys(modules[name]).sort()])),
  sameDevFailed: lib.DevFailed === client.DevFailed,
  sameDevState: lib.DevState === client.DevState,
}));
`;

/** skipLibCheck off (tsc's default): the package's declarations themselves are checked too. */
const CONSUMER_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true,
    types: ["node"], skipLibCheck: false, rootDir: "src", outDir: "dist",
  },
  include: ["src"],
});

/** The relative imports of an esbuild output file (static, side-effect and dynamic). */
function relativeImports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.\.?\/[^"']+)["']/gu)].map((m) => m[1] ?? "");
}

/** A Node process of the consumer that logs the server's ready line. */
interface ServerChild {
  readonly proc: ChildProcess;
  readonly grpcPort: number;
  /** Everything it wrote so far. */
  output(): string;
}

/** Runs `node <args>` in `cwd`; resolves once it logs "Ready to accept request", rejects if it exits first or the time is up. */
function startServer(args: readonly string[], cwd: string, onSpawn: (proc: ChildProcess) => void): Promise<ServerChild> {
  let out = "";
  let stdout = "";
  const proc = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  onSpawn(proc);
  proc.stderr.setEncoding("utf8").on("data", (s: string) => { out += s; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${args.join(" ")}: not ready within ${READY_TIMEOUT_MS} ms:\n${out}`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(" ")} exited (${code}) before it was ready:\n${out}`));
    };
    proc.once("exit", onExit);
    proc.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      stdout += s;
      const line = stdout.split("\n").slice(0, -1).find((l) => l.includes("Ready to accept request")); // whole lines only
      if (line === undefined) return;
      clearTimeout(timer);
      proc.off("exit", onExit);
      resolve({ proc, grpcPort: (JSON.parse(line) as { grpcPort: number }).grpcPort, output: () => out });
    });
  });
}

/** Sends SIGTERM; resolves with the exit code (SIGKILL after EXIT_TIMEOUT_MS: then null). */
async function stopServer(proc: ChildProcess): Promise<number | null> {
  const exited = once(proc, "exit");
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), EXIT_TIMEOUT_MS);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Moves test/stage/N and reads its position back: what only a class whose decorators the server saw can do. */
async function driveStage(grpcPort: number, device: string): Promise<void> {
  const stage = new DeviceProxy(`tango://127.0.0.1:${grpcPort}/${device}`);
  try {
    expect((await stage.readAttribute("position")).value).to.equal(0);
    await stage.writeAttribute("position", 2.5);
    expect((await stage.readAttribute("position")).value).to.equal(2.5);
    await stage.commandInout("Move", 4);
    expect((await stage.readAttribute("position")).value).to.equal(4);
  } finally {
    stage.close();
  }
}

describe("the npm package (npm pack, installed in a project of its own)", function () {
  this.timeout(300_000); // bounds only: pack (the build), the offline install and tsc take ~40 s here
  let packed: PackedPackage;
  let consumer: ConsumerProject | undefined;
  /** What tsc printed compiling the consumer's src/ to dist/ ("" when clean). */
  let tscOutput = "";
  let child: ChildProcess | undefined;
  const consumerDir = (): string => consumer?.dir ?? "";
  /** Path in the package → the installed file. */
  const installed = (path: string): string => join(consumerDir(), "node_modules/tango-grpc", path);

  before(async () => {
    packed = await packTangoGrpc();
    consumer = await makeConsumerProject({
      devDependencies: ["@types/node"],
      files: {
        "src/stage.ts": CONSUMER_TS, "tsconfig.json": CONSUMER_TSCONFIG, "probe.mjs": PROBE_MJS,
        "server.yaml": CONSUMER_YAML, "serve.mjs": CONSUMER_SERVE_MJS,
      },
    });
    // tsc writes dist/ even when it reports errors, so the serving tests run either way.
    tscOutput = await run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: consumerDir(), timeout: RUN_TIMEOUT_MS })
      .then(() => "", (err: { stdout?: string; message: string }) => err.stdout || err.message);
  });
  after(async () => {
    await consumer?.remove();
  });
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
    child = undefined;
  });

  it("ships the program, the entry points with their maps, the type declarations and proto/, and nothing else", () => {
    const paths = packed.files.map((f) => f.path);
    const unexpected = paths.filter((p) => !(
      p === "package.json" || p === "README.md" || p === "LICENSE"
      || /^dist\/src\/cli\/tango-grpc\.js(\.map)?$/u.test(p)
      || /^dist\/src\/lib\/[\w-]+\.js(\.map)?$/u.test(p)
      || (p.startsWith("dist/src/") && p.endsWith(".d.ts"))
      || /^proto\/.+\.proto$/u.test(p)));
    expect(unexpected, "files outside the package's layout (tests, bench, sources, tsc's per-file .js)").to.deep.equal([]);
    expect(paths).to.include.members(["dist/src/cli/tango-grpc.js", "dist/src/lib/index.js", "proto/tango/v1/tango.proto"]);
    // Measured: ~0.9 MB packed, ~4.2 MB unpacked (2.6 MB of it source maps), ~240 files.
    expect(packed.sizeBytes, "tarball size").to.be.below(3_000_000);
  });

  it("holds every exports target and the bin", () => {
    const pkg = JSON.parse(readFileSync(installed("package.json"), "utf8")) as { exports: unknown; bin: Record<string, string> };
    const targets: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === "string") targets.push(value);
      else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
    };
    walk(pkg.exports);
    expect(Object.keys(pkg.exports as object)).to.have.members([".", "./client", "./testing", "./package.json"]);
    const paths = new Set(packed.files.map((f) => f.path));
    const missing = [...targets, ...Object.values(pkg.bin)].map((t) => posix.normalize(t)).filter((t) => !paths.has(t));
    expect(missing).to.deep.equal([]);
  });

  it("maps every shipped .js to a shipped source map that carries its sources' text", () => {
    const js = packed.files.map((f) => f.path).filter((p) => p.endsWith(".js"));
    const paths = new Set(packed.files.map((f) => f.path));
    for (const file of js) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/u.exec(readFileSync(installed(file), "utf8"))?.[1];
      expect(url, `${file} names its map`).to.be.a("string");
      const mapPath = posix.join(posix.dirname(file), url ?? "");
      expect(paths.has(mapPath), `${file}'s map ${mapPath} is shipped`).to.equal(true);
      const map = JSON.parse(readFileSync(installed(mapPath), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
      const unresolvable = map.sources.filter((source, i) =>
        typeof map.sourcesContent?.[i] !== "string" && !paths.has(posix.join(posix.dirname(mapPath), source)));
      expect(unresolvable, `sources of ${mapPath} neither shipped nor inlined`).to.deep.equal([]);
    }
  });

  it("has one copy of each of our modules, shared by the program and the entry points", () => {
    const js = packed.files.map((f) => f.path).filter((p) => p.endsWith(".js"));
    /** Shipped .js → our sources in it ("src/device/device.ts"), from its source map. */
    const sourcesOf = new Map<string, string[]>();
    for (const file of js) {
      const map = JSON.parse(readFileSync(installed(`${file}.map`), "utf8")) as { sources: string[] };
      sourcesOf.set(file, map.sources.map((s) => posix.relative(".", posix.join(posix.dirname(file), s))).filter((s) => s.startsWith("src/")));
    }
    const copies = new Map<string, string[]>();
    for (const [file, sources] of sourcesOf) for (const s of sources) copies.set(s, [...(copies.get(s) ?? []), file]);
    expect([...copies].filter(([, files]) => files.length > 1), "modules of ours in more than one file").to.deep.equal([]);

    /** Our sources that loading `entry` runs: its file and every chunk it imports, transitively. */
    const reach = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const spec of relativeImports(readFileSync(installed(file), "utf8"))) visit(posix.join(posix.dirname(file), spec));
      };
      visit(entry);
      return new Set([...seen].flatMap((file) => sourcesOf.get(file) ?? []));
    };
    // The device API's state (src/device/device.ts, decorators.ts) is the same for the program
    // that loads a user's class, for the `tango-grpc` the class imports and for the test contexts.
    for (const entry of ["dist/src/cli/tango-grpc.js", "dist/src/lib/index.js", "dist/src/lib/testing.js"]) {
      expect([...reach(entry)], entry).to.include.members(["src/device/device.ts", "src/device/decorators.ts", "src/core/dev-failed.ts"]);
    }
    expect([...reach("dist/src/lib/client.js")]).to.include("src/core/dev-failed.ts");
  });

  it("loads tango-grpc, tango-grpc/client and tango-grpc/testing in the consumer, sharing their classes", async () => {
    const { stdout } = await run(process.execPath, ["probe.mjs"], { cwd: consumer?.dir, timeout: RUN_TIMEOUT_MS });
    const probe = JSON.parse(stdout) as Probe;
    for (const url of Object.values(probe.resolved)) {
      expect(fileURLToPath(url).startsWith(installed("dist/src/lib/")), url).to.equal(true);
    }
    expect(probe.exports["tango-grpc"]).to.include.members(["Device", "attribute", "command", "DevDouble", "DevFailed"]);
    expect(probe.exports["tango-grpc/client"]).to.include.members(["DeviceProxy", "AttributeProxy", "DevFailed"]);
    expect(probe.exports["tango-grpc/testing"]).to.include.members(["DeviceTestContext", "MultiDeviceTestContext"]);
    expect(probe.sameDevFailed && probe.sameDevState, "DevFailed and DevState are one class each across the entry points").to.equal(true);
  });

  it("type-checks a consumer's TypeScript (NodeNext, strict) against the installed declarations", () => {
    expect(tscOutput).to.equal("");
  });

  it("runs its program from the installed package: serves TangoTest, then exits 0 on SIGTERM", async () => {
    const cli = consumer?.cliPath ?? "";
    const { stdout: version } = await run(process.execPath, [cli, "--version"], { cwd: consumerDir(), timeout: RUN_TIMEOUT_MS });
    expect(version.trim()).to.equal(packed.version);

    const server = await startServer([cli, "serve"], consumerDir(), (proc) => { child = proc; });
    const dev = new DeviceProxy(`tango://127.0.0.1:${server.grpcPort}/sys/tg_test/1`);
    try {
      expect((await dev.info()).versionInfo["tango-grpc"], "the version it finds three levels up").to.equal(packed.version);
    } finally {
      dev.close();
    }
    expect(await stopServer(server.proc), server.output()).to.equal(0);
  });

  it("serves the consumer's own class, named with module: in a config, with the installed program", async () => {
    const server = await startServer([consumer?.cliPath ?? "", "serve", "--config", "server.yaml"], consumerDir(), (proc) => { child = proc; });
    await driveStage(server.grpcPort, "test/stage/1");
    expect(await stopServer(server.proc), server.output()).to.equal(0);
  });

  it("serves the consumer's own class with serve() from the consumer's code", async () => {
    const server = await startServer(["serve.mjs"], consumerDir(), (proc) => { child = proc; });
    await driveStage(server.grpcPort, "test/stage/2");
    expect(await stopServer(server.proc), server.output()).to.equal(0);
  });
});
