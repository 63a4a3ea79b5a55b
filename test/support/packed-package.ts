import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The package as users get it: `npm pack` of this repository, installed into a project of its own
 * in a temporary directory, without network.
 *
 * How the install works offline. A plain `npm install --offline <tarball>` has to resolve every
 * dependency range of tango-grpc against the registry's package documents, and `npm ci` (all a CI
 * machine has run) caches the tarballs and only the documents it needed, keyed its own way: the
 * plain install fails with ENOTCACHED on a clean machine. So the consumer gets a package-lock.json
 * written here from the repository's own: tango-grpc itself as `file:` the tarball (with the
 * integrity npm pack reported), then every package that tango-grpc's dependencies (and the
 * consumer's, see `devDependencies`) pull in, copied entry by entry from our lockfile, at the same
 * node_modules paths. Our root's dependencies are tango-grpc's dependencies, so the tree is the one
 * `npm ci` installed in the repository, minus what only our devDependencies needed. Then
 * `npm ci --offline` in the consumer fetches exactly what the repository's `npm ci` fetched, from
 * the same cache (npm's default one, or whatever npm_config_cache names): a subset of the same
 * lockfile entries finds the same cache entries. Checked by cloning the repository, `npm ci --cache
 * <fresh dir>` there, then this install with that cache and --offline. A package missing from the
 * cache fails the install with npm's ENOTCACHED, named in the error: run `npm ci` first.
 *
 * npm runs with the test's own Node first on PATH, without the npm_* variables an enclosing
 * `npm test` sets (its lifecycle's and its config's, which are not for this npm to read; the
 * cache and npmrc locations are kept), and in its own process group, killed whole (tsc and
 * esbuild under npm pack included) when its time is up.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Time for `npm pack`, the build included (tsc and esbuild, ~20 s on an idle machine). */
const PACK_TIMEOUT_MS = 240_000;
/** Time for the consumer's `npm ci` from the cache (~5 s on an idle machine). */
const INSTALL_TIMEOUT_MS = 120_000;

/** The npm_* variables a child npm keeps: where the cache and the user's npmrc are, nothing about the enclosing run. */
const KEPT_NPM_VARIABLES = new Set(["npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig", "npm_config_registry"]);

/** One entry of `npm pack --json`'s file list. */
export interface PackedFile {
  /** Path inside the package, e.g. `dist/src/lib/index.js`. */
  readonly path: string;
  readonly sizeBytes: number;
}

/** The packed tarball and npm's account of it. */
export interface PackedPackage {
  /** Absolute path of `tango-grpc-<version>.tgz`, in a temporary directory removed when the process exits. */
  readonly tarball: string;
  /** `sha512-…`, as npm pack reported it (and a lockfile records it). */
  readonly integrity: string;
  readonly version: string;
  /** Every file in the tarball. */
  readonly files: readonly PackedFile[];
  /** The tarball's size. */
  readonly sizeBytes: number;
  /** The files' total size. */
  readonly unpackedSizeBytes: number;
}

/** What a consumer project starts from. */
export interface ConsumerOptions {
  /**
   * A package directory to copy as the project (without its node_modules, dist and
   * package-lock.json), e.g. examples/motor. Its package.json's dependency on tango-grpc, in
   * whatever form, becomes the tarball. Default: an empty project, `{"type": "module"}`.
   */
  readonly copyFrom?: string;
  /** Files to write into the project (relative path → content), after the copy. */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * More packages to install as devDependencies, by name, at the range of the repository's
   * package.json (else the version of its lockfile): e.g. ["typescript", "@types/node"]. Every
   * package the project's package.json names must be in the repository's package-lock.json.
   */
  readonly devDependencies?: readonly string[];
}

/** A project in a temporary directory with the packed tango-grpc installed. */
export interface ConsumerProject extends AsyncDisposable {
  /** The project's directory. */
  readonly dir: string;
  /** The installed program, node_modules/tango-grpc/dist/src/cli/tango-grpc.js: run it with process.execPath. */
  readonly cliPath: string;
  /** Deletes the directory. */
  remove(): Promise<void>;
}

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [key: string]: unknown;
}

interface PackageJson {
  name?: string;
  version?: string;
  license?: string;
  bin?: unknown;
  engines?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The environment for a child npm (or a consumer's process): ours, minus an enclosing npm run's variables, with our Node first on PATH. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith("npm_") && !KEPT_NPM_VARIABLES.has(key.toLowerCase())) continue;
    env[key] = value;
  }
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
  return env;
}

/**
 * Runs `npm <args>` in `cwd` in its own process group (killed whole after `timeoutMs`); resolves
 * with its stdout, or rejects with its exit code and the tail of its stderr.
 */
export function runNpm(args: readonly string[], cwd: string, timeoutMs: number): Promise<string> {
  const child = spawn("npm", args, { cwd, env: npmEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
  child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  const what = `npm ${args.join(" ")} (in ${cwd})`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL"); // the group: npm's scripts too
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
      }
      reject(new Error(`${what} did not finish within ${timeoutMs} ms:\n${stderr.slice(-4000)}`));
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${what} failed (${signal ?? code}):\n${stderr.slice(-4000)}`));
    });
  });
}

let packing: Promise<PackedPackage> | undefined;

/**
 * Builds the package and packs it (`npm pack`, whose prepack runs `npm run build`), once per
 * process: later calls return the same tarball.
 */
export function packTangoGrpc(): Promise<PackedPackage> {
  packing ??= pack();
  return packing;
}

async function pack(): Promise<PackedPackage> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-pack-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const out = await runNpm(["pack", "--json", "--pack-destination", dir], REPO_ROOT, PACK_TIMEOUT_MS);
  const [report] = JSON.parse(out) as [{
    filename: string; integrity: string; version: string; size: number; unpackedSize: number;
    files: { path: string; size: number }[];
  }];
  return {
    tarball: join(dir, basename(report.filename)),
    integrity: report.integrity,
    version: report.version,
    files: report.files.map((f) => ({ path: f.path, sizeBytes: f.size })),
    sizeBytes: report.size,
    unpackedSizeBytes: report.unpackedSize,
  };
}

/** Where Node finds `name` required from the package at `from` (a node_modules path, "" for the root) in a lockfile's tree. */
function locate(packages: Readonly<Record<string, LockEntry>>, name: string, from: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (base === "") return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent < 0 ? "" : base.slice(0, parent);
  }
}

/**
 * Adds to `into` the lockfile entries (node_modules path → entry) that install `names`, required
 * from `from` (a node_modules path, "" for the root), and everything they depend on, as in `ours`.
 */
function collectEntries(ours: Readonly<Record<string, LockEntry>>, names: Iterable<string>, from: string,
  into: Map<string, LockEntry>): void {
  for (const name of names) {
    const path = locate(ours, name, from);
    const entry = path === undefined ? undefined : ours[path];
    if (path === undefined || entry === undefined) {
      const requirer = ours[from];
      // Optional dependencies of other platforms (esbuild's) and optional peers may be absent.
      if (requirer?.optionalDependencies?.[name] !== undefined || requirer?.peerDependenciesMeta?.[name]?.optional === true) continue;
      throw new Error(`${name} (needed by ${from === "" ? "the consumer" : from}) is not in tango-grpc's package-lock.json, so it cannot be installed offline`);
    }
    if (into.has(path)) continue;
    into.set(path, entry);
    const deps = [entry.dependencies, entry.optionalDependencies, entry.peerDependencies].flatMap((d) => Object.keys(d ?? {}));
    collectEntries(ours, deps, path, into);
  }
}

/** Drops our lockfile's dev/optional/peer flags, which say how *our* root reaches a package. */
function withoutFlags(entry: LockEntry, isDev: boolean): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
  return isDev ? { ...rest, dev: true } : rest;
}

/**
 * A project in a temporary directory with the packed tarball (packTangoGrpc) installed offline
 * (see the top of this file), plus the packages `options.devDependencies` names. Remove it with
 * `remove()` or `await using`.
 */
export async function makeConsumerProject(options: ConsumerOptions = {}): Promise<ConsumerProject> {
  const packed = await packTangoGrpc();
  const ourPkg = readJson<PackageJson>(join(REPO_ROOT, "package.json"));
  const ourLock = readJson<{ packages: Record<string, LockEntry> }>(join(REPO_ROOT, "package-lock.json")).packages;
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-consumer-"));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    if (options.copyFrom !== undefined) {
      const source = options.copyFrom;
      cpSync(source, dir, {
        recursive: true,
        filter: (path) => !["node_modules", "dist", "package-lock.json"].includes(relative(source, path).split(/[\\/]/u)[0] ?? ""),
      });
    }
    for (const [path, text] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const pkgPath = join(dir, "package.json");
    const pkg: PackageJson = existsSync(pkgPath) ? readJson<PackageJson>(pkgPath) : { name: "tango-grpc-consumer", private: true, type: "module" };
    const spec = `file:${relative(dir, packed.tarball).split("\\").join("/")}`;
    delete pkg.devDependencies?.["tango-grpc"];
    delete pkg.optionalDependencies?.["tango-grpc"];
    pkg.dependencies = { ...pkg.dependencies, "tango-grpc": spec };
    for (const name of options.devDependencies ?? []) {
      const range = ourPkg.devDependencies?.[name] ?? ourPkg.dependencies?.[name] ?? ourLock[`node_modules/${name}`]?.version;
      if (range === undefined) throw new Error(`${name} is not in tango-grpc's package-lock.json, so it cannot be installed offline`);
      pkg.devDependencies = { ...pkg.devDependencies, [name]: range };
    }
    writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

    const tangoGrpc: LockEntry = {
      version: packed.version, resolved: spec, integrity: packed.integrity, license: ourPkg.license,
      dependencies: ourPkg.dependencies, bin: ourPkg.bin, engines: ourPkg.engines,
    };
    const prod = new Map<string, LockEntry>();
    collectEntries(ourLock, Object.keys(ourPkg.dependencies ?? {}), "", prod);
    collectEntries(ourLock, Object.keys(pkg.dependencies).filter((name) => name !== "tango-grpc"), "", prod);
    const all = new Map(prod);
    collectEntries(ourLock, Object.keys(pkg.devDependencies ?? {}), "", all);
    const root = { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies };
    const packages: Record<string, unknown> = { "": root, "node_modules/tango-grpc": tangoGrpc };
    for (const [path, entry] of [...all].sort(([a], [b]) => a.localeCompare(b))) packages[path] = withoutFlags(entry, !prod.has(path));
    writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);

    await runNpm(["ci", "--offline", "--no-audit", "--no-fund"], dir, INSTALL_TIMEOUT_MS);
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    dir,
    cliPath: join(dir, "node_modules/tango-grpc/dist/src/cli/tango-grpc.js"),
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
