import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Our own package.json: two levels up from src/server, three from dist/src/server. */
function ownVersion(): string {
  for (const rel of ["../../package.json", "../../../package.json"]) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "tango-grpc" && pkg.version !== undefined) return pkg.version;
  }
  return "unknown";
}

let cached: Readonly<Record<string, string>> | undefined;

/** `info().version_info` (IDL 6 DevInfo_6): the libraries this server runs on. Read once. */
export function describeVersions(): Readonly<Record<string, string>> {
  cached ??= Object.freeze({
    "tango-grpc": ownVersion(),
    node: process.versions.node,
    "grpc-js": (require("@grpc/grpc-js/package.json") as { version: string }).version,
    idl: "5",
  });
  return cached;
}
