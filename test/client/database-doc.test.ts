import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { startTestDatabase, type TestDatabase } from "../support/test-database.js";
import { openTestDb } from "../support/test-db.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUN_TIMEOUT_MS = 30_000;
const MARKER = "<!-- database-doc-test -->\n```ts\n";

/** The ```ts block after `<!-- database-doc-test -->` in docs/database.md. */
function docSnippet(): string {
  const doc = readFileSync(join(REPO_ROOT, "docs", "database.md"), "utf8");
  const start = doc.indexOf(MARKER);
  if (start < 0) throw new Error("docs/database.md has no database-doc-test snippet");
  const body = doc.slice(start + MARKER.length);
  return body.slice(0, body.indexOf("\n```"));
}

/** docs/database.md's Database example runs as written, with TANGO_HOST, and prints what its comments say. */
describe("docs/database.md: the Database client example", function () {
  this.timeout(RUN_TIMEOUT_MS + 30_000);
  let storage: SqlDb;
  let tdb: TestDatabase;
  let dir: string;

  before(async () => {
    storage = await openTestDb();
    tdb = await startTestDatabase(storage);
    dir = mkdtempSync(join(tmpdir(), "database-doc-"));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await tdb?.stop();
    await storage?.close();
  });

  it("prints each console.log's comment", async () => {
    const snippet = docSnippet();
    const expected = snippet.split("\n").filter((line) => line.includes("console.log(")).map((line) => line.replace(/^.*\/\/ /, ""));
    expect(expected).to.have.length.greaterThan(4);
    const file = join(dir, "example.mts");
    writeFileSync(file, snippet.replace('"tango-grpc/client"', JSON.stringify(pathToFileURL(join(REPO_ROOT, "src/client/index.ts")).href)));
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: REPO_ROOT, env: { ...process.env, TANGO_HOST: tdb.tangoHost }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`the example did not end: ${stderr}`)); }, RUN_TIMEOUT_MS);
      child.on("close", (c) => { clearTimeout(timer); resolve(c); });
    });
    expect(code, stderr).to.equal(0);
    expect(stdout.trimEnd().split("\n")).to.deep.equal(expected);
  });
});
