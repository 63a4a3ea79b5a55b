import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * docs/device-authoring.md is a package a user builds: each block after a
 * `<!-- guide-test: <mode> <path> -->` marker is the file <path> of it. This test writes them all
 * into one temporary package, type-checks them in one `tsc` run with the guide's own tsconfig,
 * and runs the `run` ones (node:test files) as programs, the way `npm test` in that package
 * would. "tango-grpc", "tango-grpc/testing" and "tango-grpc/client" are mapped to this
 * repository's sources (tsconfig `paths`, which tsx follows too), so the snippets import them
 * exactly as users write them.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const GUIDE = join(REPO_ROOT, "docs", "device-authoring.md");
const TSX_LOADER = import.meta.resolve("tsx/esm");
const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
/** Bounds of one child process: the type check, or one snippet's run. */
const TSC_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 30_000;
/** Two cores: the type check and one snippet, or two snippets, at a time. */
const CONCURRENCY = 2;

const ENTRY_POINTS: Readonly<Record<string, string>> = {
  "tango-grpc": "src/index.ts",
  "tango-grpc/testing": "src/testing/index.ts",
  "tango-grpc/client": "src/client/index.ts",
};

type Mode = "file" | "run";

/** One marked block of the guide. */
interface GuideFile {
  readonly mode: Mode;
  readonly path: string;
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the marker, for messages. */
  readonly line: number;
}

const MARKER = /^<!-- guide-test: (file|run) (\S+) -->\n```(\w+)\n([\s\S]*?)\n```$/gm;

function guideFiles(text: string): GuideFile[] {
  return [...text.matchAll(MARKER)].map((m) => ({
    mode: m[1] as Mode, path: m[2] ?? "", lang: m[3] ?? "", body: `${m[4] ?? ""}\n`,
    line: text.slice(0, m.index).split("\n").length,
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

/** Runs a child process to its end, killed after `timeoutMs` (then the promise rejects). */
function runChild(args: readonly string[], cwd: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
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

/** The guide's tsconfig, checked without emitting and with the package names mapped to the sources. */
function checkConfig(guideTsconfig: string): string {
  const config = JSON.parse(guideTsconfig) as { compilerOptions: Record<string, unknown> };
  const paths = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [join(REPO_ROOT, file)]]));
  // rootDir: the mapped sources lie outside the package, which only matters when emitting.
  const { rootDir: _rootDir, ...options } = config.compilerOptions;
  return JSON.stringify({ ...config, compilerOptions: { ...options, noEmit: true, paths } }, null, 2);
}

describe("docs/device-authoring.md", function () {
  this.timeout(TSC_TIMEOUT_MS + 4 * RUN_TIMEOUT_MS);
  const text = readFileSync(GUIDE, "utf8");
  const files = guideFiles(text);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tango-grpc-guide-"));
    // The package's dependencies: typescript, @types/node, tsx; tango-grpc itself comes through `paths`.
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  });
  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); });

  it("marks every TypeScript block as a file of the package", () => {
    expect(unmarkedTsBlocks(text), "lines of ```ts blocks without a guide-test marker").to.deep.equal([]);
    expect(files.filter((f) => f.mode === "run")).to.not.be.empty;
    const paths = files.map((f) => f.path);
    expect(paths.filter((p, i) => paths.indexOf(p) !== i), "files written twice").to.deep.equal([]);
  });

  it("type-checks every file with the guide's tsconfig and runs every test file, which pass", async () => {
    const tsconfig = files.find((f) => f.path === "tsconfig.json");
    expect(tsconfig, "the guide shows its tsconfig.json").to.not.equal(undefined);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "motor", private: true, type: "module" }));
    for (const f of files) {
      const target = join(dir, f.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.path === "tsconfig.json" ? checkConfig(f.body) : f.body);
    }

    const runs = files.filter((f) => f.mode === "run");
    const jobs = [
      () => runChild([TSC, "-p", "tsconfig.json"], dir, TSC_TIMEOUT_MS),
      ...runs.map((f) => () => runChild(["--import", TSX_LOADER, "--test-reporter=tap", f.path], dir, RUN_TIMEOUT_MS)),
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
});
