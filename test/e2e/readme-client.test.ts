import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

describe("README client quick start", function () {
  this.timeout(RUN_TIMEOUT_MS + 5_000);
  let h: GrpcHarness;
  let dir: string;
  before(async () => { h = await startTangoTest(); });
  after(async () => { await h?.close(); });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-readme-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it("runs as written against a TangoTest server and prints what its comments say", async () => {
    const snippet = readmeSnippet("client");
    const code = snippet
      .replace('"tango-grpc/client"', JSON.stringify(pathToFileURL(join(REPO_ROOT, "src/client/index.ts")).href))
      .replaceAll("localhost:50051", `127.0.0.1:${h.grpc.port}`);
    const file = join(dir, "client.mts");
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
    // Each console.log line's comment is what it prints.
    const promised = [...snippet.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => (m[1] ?? "").replace(/, exact$/, ""));
    expect(stdout.trim().split("\n")).to.deep.equal(promised);
  });
});
