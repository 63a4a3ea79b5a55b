import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/*
 * The `tango-grpc` program as one ES module (dist/src/cli/tango-grpc.js), what `npm start`, the
 * package's bin and the container run. Node 20 loads ES modules file by file, and TypeBox alone
 * is hundreds of them: the unbundled program spends ~0.5 s of its ~1 s start-up resolving and
 * reading modules and holds ~20 MB more. Bundled are our sources and the dependencies that are ES
 * modules; the CommonJS ones (grpc-js, protobufjs, Fastify, pino, prom-client, ...) stay in
 * node_modules, loaded as before: some read their own files by __dirname, and a second copy of
 * one inside the bundle would split state shared with its dependents.
 *
 * The bundle sits beside dist/src/cli/main.js, so it finds proto/ and package.json as that does.
 * Run by `npm run build` (after tsc, which type-checks) and by test/e2e/bundle.test.ts.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Dependencies bundled: the ES-module packages that nothing left in node_modules imports. */
const BUNDLED = new Set(["typebox", "lossless-json"]);

/** The program's path, relative to the repository. */
export const BUNDLE_PATH = "dist/src/cli/tango-grpc.js";

/**
 * V8 keeps a script's source in memory for the life of the process, one byte per character
 * while every character is Latin-1, two otherwise. esbuild escapes non-ASCII characters in
 * strings and identifiers but keeps comments as written: one "–" in a kept comment made the
 * whole 1 MB program a 2 MB string. Such characters can only be in comments, so they become "?"
 * (one UTF-16 unit for one, so the source map's columns still hold).
 */
const NOT_LATIN1 = /[^\u0000-\u00ff]/gu;

/** Builds BUNDLE_PATH from src/cli/main.ts. */
export async function bundle(): Promise<void> {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
  const missing = [...BUNDLED].filter((name) => !(name in pkg.dependencies));
  if (missing.length > 0) throw new Error(`scripts/bundle.ts bundles ${missing.join(", ")}, which package.json no longer lists`);
  await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/main.ts"],
    outfile: BUNDLE_PATH,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: "tsconfig.build.json",
    external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
    sourcemap: true,
    charset: "ascii",
    logLevel: "warning",
  });
  const file = new URL(`../${BUNDLE_PATH}`, import.meta.url);
  const text = readFileSync(file, "utf8");
  const latin1 = text.replace(NOT_LATIN1, (c) => "?".repeat(c.length));
  if (latin1 !== text) writeFileSync(file, latin1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
