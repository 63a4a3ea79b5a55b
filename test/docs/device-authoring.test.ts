import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/cli/load-config.js";
import { DeviceProxy, DevState } from "../../src/client/index.js";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";

/*
 * docs/device-authoring.md is a package a user builds: each block after a
 * `<!-- guide-test: <mode> <path> -->` marker is the file <path> of it. This test writes them all
 * into one temporary package and, as `npm test` and `npm start` there would:
 * - type-checks every TypeScript file in one `tsc` run, with the guide's tsconfig.test.json;
 * - runs each `run` file (a node:test file) as a program, which must pass at least one test;
 * - runs each `serve` file (a program starting a server), talks to it, stops it with SIGTERM;
 * - runs `tango-grpc serve --config motor.yaml`, with the config's compiled module paths
 *   (./dist/x.js) pointing at the sources (./src/x.ts) instead, since nothing is emitted;
 * - checks the other configs with the server's config loader, and that each `same` block is the
 *   repository file it names (examples/motor's Dockerfile and compose file, the chart's Motor
 *   values, which `npm run test:helm` renders and checks), so they cannot drift.
 * "tango-grpc", "tango-grpc/testing" and "tango-grpc/client" are mapped to this repository's
 * sources by a tsconfig beside the guide's (`paths`, which tsx follows too), so the files import
 * them exactly as users write them.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const GUIDE = join(REPO_ROOT, "docs", "device-authoring.md");
const TSX_LOADER = import.meta.resolve("tsx/esm");
const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
const CLI = join(REPO_ROOT, "src", "cli", "main.ts");
/** The guide's tsconfig.test.json plus the mapping of the package names to the sources. */
const CHECK_TSCONFIG = "tsconfig.guide-check.json";
/** Bounds of one child process: the type check, one test file, one server's start and stop. */
const TSC_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 30_000;
const SERVER_TIMEOUT_MS = 30_000;
/** Two cores: the type check and one test file, or two test files, at a time. */
const CONCURRENCY = 2;
/** A server started by the tests binds the loopback, on ports the OS picks. */
const SERVER_ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };

const ENTRY_POINTS: Readonly<Record<string, string>> = {
  "tango-grpc": "src/index.ts",
  "tango-grpc/testing": "src/testing/index.ts",
  "tango-grpc/client": "src/client/index.ts",
};

type Mode = "file" | "run" | "serve" | "same";

/** One marked block of the guide. */
interface GuideFile {
  readonly mode: Mode;
  readonly path: string;
  readonly body: string;
  /** 1-based line of the marker, for messages. */
  readonly line: number;
}

const MARKER = /^<!-- guide-test: (file|run|serve|same) (\S+) -->\n```\w+\n([\s\S]*?)\n```$/gm;

function guideFiles(text: string): GuideFile[] {
  return [...text.matchAll(MARKER)].map((m) => ({
    mode: m[1] as Mode, path: m[2] ?? "", body: `${m[3] ?? ""}\n`, line: text.slice(0, m.index).split("\n").length,
  }));
}

/** Lines of ```ts blocks that no marker announces: every TypeScript block must be tested. */
function unmarkedTsBlocks(text: string): number[] {
  const lines = text.split("\n");
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === "```ts" && !(lines[i - 1] ?? "").startsWith("<!-- guide-test: ")) out.push(i + 1);
  });
  return out;
}

interface Outcome { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** A child process of the package: node with tsx, the package's tsconfig mapping, and `env`. */
function spawnNode(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}) {
  return spawn(process.execPath, ["--import", TSX_LOADER, ...args], {
    cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TSX_TSCONFIG_PATH: CHECK_TSCONFIG, ...env },
  });
}

/** Runs a child process to its end; killed after `timeoutMs` (the promise then rejects). */
function runChild(args: readonly string[], cwd: string, timeoutMs: number, withTsx = true): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = withTsx ? spawnNode(args, cwd) : spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => { clearTimeout(timer); reject(err); });
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Runs the jobs, at most `limit` at a time; resolves with every outcome in order. */
async function pool<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job === undefined) continue;
      try {
        results[i] = { status: "fulfilled", value: await job() };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/**
 * Starts a server program (`args`), waits for its "Ready to accept request" log line, hands its
 * gRPC port to `use`, then sends SIGTERM and resolves with the exit code and the output. Every
 * wait is bounded by SERVER_TIMEOUT_MS; the process is killed if anything fails.
 */
async function withServer(args: readonly string[], cwd: string, use: (grpcPort: number) => Promise<void>): Promise<Outcome> {
  const child = spawnNode(args, cwd, SERVER_ENV);
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      const line = stdout.split("\n").find((l) => l.includes('"Ready to accept request"'));
      if (line !== undefined) resolve((JSON.parse(line) as { grpcPort: number }).grpcPort);
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
    void exited.then((code) => reject(new Error(`exited with ${code} before it was ready\n${stdout}\n${stderr}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start, answer and stop within ${SERVER_TIMEOUT_MS} ms\n${stdout}\n${stderr}`)), SERVER_TIMEOUT_MS);
  });
  try {
    const code = await Promise.race([
      (async () => {
        await use(await ready);
        child.kill("SIGTERM");
        return exited;
      })(),
      timeout,
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  }
}

/** Reads what a client of a started Motor server sees, then closes the proxy. */
async function motorState(grpcPort: number, device: string): Promise<DevState> {
  const proxy = new DeviceProxy(`tango://127.0.0.1:${grpcPort}/${device}`);
  try {
    expect((await proxy.readAttribute("position")).value).to.equal(0);
    return await proxy.state();
  } finally {
    proxy.close();
  }
}

describe("docs/device-authoring.md", function () {
  this.timeout(TSC_TIMEOUT_MS + 4 * RUN_TIMEOUT_MS);
  const text = readFileSync(GUIDE, "utf8");
  const blocks = guideFiles(text);
  /** The files of the user's package; `same` blocks quote the repository instead. */
  const files = blocks.filter((f) => f.mode !== "same");
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-guide-"));
    // The package's dev dependencies (typescript, @types/node, tsx); tango-grpc itself comes through `paths`.
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    for (const f of files) {
      const target = join(dir, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.body);
    }
    // rootDir "/": the mapped sources lie outside the package, which tsc refuses even without emitting.
    const paths = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [join(REPO_ROOT, file)]]));
    writeFileSync(join(dir, CHECK_TSCONFIG), JSON.stringify({ extends: "./tsconfig.test.json", compilerOptions: { rootDir: "/", paths } }));
  });
  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); });

  it("marks every TypeScript block as a file of the package, each path once", () => {
    expect(unmarkedTsBlocks(text), "lines of ```ts blocks without a guide-test marker").to.deep.equal([]);
    for (const needed of ["package.json", "tsconfig.json", "tsconfig.test.json", "motor.yaml", "src/motor.ts"]) {
      expect(files.map((f) => f.path), `the guide shows ${needed}`).to.include(needed);
    }
    expect(files.filter((f) => f.mode === "run")).to.not.be.empty;
    const paths = files.map((f) => f.path);
    expect(paths.filter((p, i) => paths.indexOf(p) !== i), "files written twice").to.deep.equal([]);
    expect((JSON.parse(files.find((f) => f.path === "package.json")?.body ?? "{}") as { type?: string }).type).to.equal("module");
  });

  it("type-checks every file with the guide's tsconfig.test.json and runs every test file, which pass", async () => {
    const runs = files.filter((f) => f.mode === "run");
    const jobs = [
      () => runChild([TSC, "-p", CHECK_TSCONFIG], dir, TSC_TIMEOUT_MS, false),
      ...runs.map((f) => () => runChild(["--test-reporter=tap", f.path], dir, RUN_TIMEOUT_MS)),
    ];
    const [typeCheck, ...results] = await pool(jobs, CONCURRENCY);

    const problems: string[] = [];
    if (typeCheck?.status === "rejected") problems.push(String(typeCheck.reason));
    else if (typeCheck?.value.code !== 0) problems.push(`tsc:\n${typeCheck?.value.stdout}${typeCheck?.value.stderr}`);
    runs.forEach((f, i) => {
      const r = results[i];
      const where = `${f.path} (docs/device-authoring.md line ${f.line})`;
      if (r === undefined || r.status === "rejected") {
        problems.push(`${where}: ${String(r?.reason)}`);
        return;
      }
      const { code, stdout, stderr } = r.value;
      // node:test prints its counts; a file whose tests never ran must not pass silently.
      const passed = Number(/^# pass (\d+)$/m.exec(stdout)?.[1] ?? 0);
      const failed = Number(/^# fail (\d+)$/m.exec(stdout)?.[1] ?? 0);
      if (code !== 0 || passed === 0 || failed !== 0) problems.push(`${where}: exit ${code}\n${stdout}\n${stderr}`);
    });
    expect(problems, problems.join("\n\n")).to.deep.equal([]);
  });

  it("runs each program that calls serve(): a client reaches its motor, and SIGTERM stops it with exit code 0", async () => {
    const programs = files.filter((f) => f.mode === "serve");
    expect(programs).to.not.be.empty;
    for (const f of programs) {
      const { code, stderr } = await withServer([f.path], dir, async (port) => {
        expect(await motorState(port, "lab/motor/1")).to.equal(DevState.ON);
      });
      expect(code, `${f.path}: ${stderr}`).to.equal(0);
      expect(stderr).to.include("Motor server stopped (exit code 0)");
    }
  });

  it("runs `tango-grpc serve --config motor.yaml`, which loads the class from its module", async () => {
    const config = readFileSync(join(dir, "motor.yaml"), "utf8");
    expect(config).to.match(/module: \.\/dist\/motor\.js/);
    writeFileSync(join(dir, "motor.from-source.yaml"), config.replace(/module: \.\/dist\/(\S+)\.js/g, "module: ./src/$1.ts"));
    const { code, stdout, stderr } = await withServer([CLI, "serve", "--config", "motor.from-source.yaml"], dir, async (port) => {
      expect(await motorState(port, "lab/motor/1")).to.equal(DevState.ON);
      expect(await motorState(port, "lab/motor/2")).to.equal(DevState.ON);
    });
    expect(code, `${stdout}\n${stderr}`).to.equal(0);
  });

  it("has configs the server's loader accepts", () => {
    const configs = files.filter((f) => f.path.endsWith(".yaml"));
    expect(configs.map((f) => f.path)).to.include.members(["motor.yaml", "docker/server.yaml"]);
    for (const f of configs) {
      const config = loadConfig(join(dir, f.path), {}, { knownClasses: [...BUILTIN_CLASSES.keys()] });
      expect(config.classes.map((c) => c.module), f.path).to.not.include(undefined);
    }
  });

  it("quotes examples/motor's Dockerfile and compose file, and the chart's Motor values, as they are", () => {
    const quotes = blocks.filter((f) => f.mode === "same");
    expect(quotes.map((f) => f.path)).to.include.members([
      "examples/motor/Dockerfile", "examples/motor/compose.yaml", "helm/tango-device-server/examples/motor.yaml",
    ]);
    for (const f of quotes) {
      expect(f.body, `docs/device-authoring.md line ${f.line} quotes ${f.path}`).to.equal(readFileSync(join(REPO_ROOT, f.path), "utf8"));
    }
  });
});
