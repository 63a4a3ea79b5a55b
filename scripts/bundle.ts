import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/*
 * The JavaScript the package runs and ships: the `tango-grpc` program (dist/src/cli/tango-grpc.js:
 * `npm start`, the package's bin, the container) and the package's entry points `tango-grpc`,
 * `tango-grpc/client` and `tango-grpc/testing` (dist/src/lib/{index,client,testing}.js), built in
 * one esbuild run with code splitting. Each module of ours is in exactly one output file, a shared
 * chunk (dist/src/lib/chunk-*.js) when several entries use it. That is what makes a user's device
 * class work: the device API keeps module-level state (the decorators' records in
 * src/device/decorators.ts and src/device/device.ts), so a class whose module does
 * `import { Device } from "tango-grpc"` and that the program loads from a config's `module:` must
 * meet the same module instances as the program itself. Two bundles, each with its copy of
 * src/device, would give two `Device` classes and a class whose decorators the server never sees.
 *
 * Why bundle at all: Node loads ES modules file by file, and TypeBox alone is hundreds of them;
 * the unbundled program spent ~0.5 s of its ~1 s start-up resolving and reading modules and held
 * ~20 MB more. Bundled are our sources and the dependencies that are ES modules; the CommonJS ones
 * (grpc-js, protobufjs, Fastify, pino, prom-client, ...) stay in node_modules, loaded as before:
 * some read their own files by __dirname, and a second copy of one inside the bundle would split
 * state shared with its dependents.
 *
 * Every output file sits three levels under the package root (dist/src/cli/, dist/src/lib/), where
 * src/grpc/proto.ts, src/server/versions.ts and src/cli/version.ts look for proto/ and package.json
 * ("../../.." from import.meta.url, as from tsc's dist/src/<folder>/ output). The source maps carry
 * the sources' text (sourcesContent), so the package can ship them without the TypeScript sources.
 * Run by `npm run build` (after tsc, which type-checks and writes the .d.ts files the package's
 * `exports` name), so by `npm pack` (prepack), and by test/e2e/bundle.test.ts.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Dependencies bundled: the ES-module packages that nothing left in node_modules imports. */
const BUNDLED = new Set(["typebox", "lossless-json", "import-meta-resolve"]);

/** The program's path, relative to the repository. */
export const BUNDLE_PATH = "dist/src/cli/tango-grpc.js";

/** The folder of the package's entry points and of the chunks they share with the program, relative to the repository. */
export const LIB_DIR = "dist/src/lib";

/** Output path (relative to dist/src, without ".js") → entry source. */
const ENTRIES: Readonly<Record<string, string>> = {
  "cli/tango-grpc": "src/cli/main.ts",
  "lib/index": "src/index.ts",
  "lib/client": "src/client/index.ts",
  "lib/testing": "src/testing/index.ts",
};

/**
 * V8 keeps a script's source in memory for the life of the process, one byte per character
 * while every character is Latin-1, two otherwise. esbuild escapes non-ASCII characters in
 * strings and identifiers but keeps comments as written: one "–" in a kept comment made the
 * whole 1 MB program a 2 MB string. Such characters can only be in comments, so they become "?"
 * (one UTF-16 unit for one, so the source map's columns still hold).
 */
const NOT_LATIN1 = /[^\u0000-\u00ff]/gu;

/** Builds BUNDLE_PATH and the package's entry points in LIB_DIR from src/. Resolves with the .js files written, relative to the repository. */
export async function bundle(): Promise<string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const missing = [...BUNDLED].filter((name) => !(name in pkg.dependencies));
  if (missing.length > 0) throw new Error(`scripts/bundle.ts bundles ${missing.join(", ")}, which package.json no longer lists`);
  // tsc would write a src/lib/ folder there too, and the chunks' names change with their content:
  // the folder holds this build's output only, or `npm pack` would ship stale chunks.
  if (existsSync(join(ROOT, "src/lib"))) throw new Error(`scripts/bundle.ts writes ${LIB_DIR}/, where tsc would compile src/lib/: rename one`);
  rmSync(join(ROOT, LIB_DIR), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: "dist/src",
    chunkNames: "lib/chunk-[hash]",
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: "tsconfig.build.json",
    external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
    sourcemap: true,
    sourcesContent: true,
    charset: "ascii",
    metafile: true,
    logLevel: "warning",
  });
  const written = Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".js"));
  for (const file of written) {
    const path = join(ROOT, file);
    const text = readFileSync(path, "utf8");
    const latin1 = text.replace(NOT_LATIN1, (c) => "?".repeat(c.length));
    if (latin1 !== text) writeFileSync(path, latin1);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
