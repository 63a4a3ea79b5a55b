import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from "../../src/server/index.js";
import { startTangoTest, type GrpcHarness } from "./grpc-harness.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUN_TIMEOUT_MS = 15_000;

/** The ```ts block after `<!-- readme-test: <name> -->` in README.md. */
function readmeSnippet(name: string): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const marker = `<!-- readme-test: ${name} -->\n\`\`\`ts\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no "${name}" snippet`);
  const body = readme.slice(start + marker.length);
  return body.slice(0, body.indexOf("\n```"));
}

/** Runs README.md's `name` snippet against the server at `port`; resolves with its stdout and stderr once it exited 0. */
async function runSnippet(name: string, port: number, dir: string): Promise<{ snippet: string; stdout: string }> {
  const snippet = readmeSnippet(name);
  const code = snippet
    .replace('"tango-grpc/client"', JSON.stringify(pathToFileURL(join(REPO_ROOT, "src/client/index.ts")).href))
    .replaceAll("localhost:50051", `127.0.0.1:${port}`);
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
  child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`the snippet did not end: ${stderr}`)); }, RUN_TIMEOUT_MS);
    child.on("close", (c) => { clearTimeout(timer); resolve(c); });
  });
  expect(exitCode, stderr).to.equal(0);
  return { snippet, stdout };
}

/** Each console.log line's comment is what it prints. */
function expectPrintedAsCommented(snippet: string, stdout: string): void {
  const promised = [...snippet.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => (m[1] ?? "").replace(/, exact$/, ""));
  expect(promised).to.not.be.empty;
  expect(stdout.trim().split("\n")).to.deep.equal(promised);
}

describe("README client quick starts", function () {
  this.timeout(RUN_TIMEOUT_MS + 5_000);
  let h: GrpcHarness;
  let dir: string;
  // The embedded defaults of `npm start`, polling included.
  before(async () => { h = await startTangoTest({ classes: structuredClone(DEFAULT_SERVER_CONFIG.classes) as unknown as ServerConfig["classes"] }); });
  after(async () => { await h?.close(); });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-readme-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("runs the client snippet as written against a TangoTest server and prints what its comments say", async () => {
    const { snippet, stdout } = await runSnippet("client", h.grpc.port, dir);
    expectPrintedAsCommented(snippet, stdout);
  });

  it("runs the events snippet as written against the embedded defaults and prints what its comments say", async () => {
    const { snippet, stdout } = await runSnippet("events", h.grpc.port, dir);
    expectPrintedAsCommented(snippet, stdout);
    expect(h.server.events.subscriptionCount, "subscriptions left behind").to.equal(0);
  });
});
