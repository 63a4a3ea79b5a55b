import { readFileSync } from "node:fs";

/**
 * The package version, from the package.json above this file: two levels up when run from
 * src/cli with tsx, three from dist/src/cli.
 */
export function readPackageVersion(): string {
  for (const relative of ["../../package.json", "../../../package.json"]) {
    let text: string;
    try {
      text = readFileSync(new URL(relative, import.meta.url), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (pkg.name === "tango-grpc" && typeof pkg.version === "string") return pkg.version;
  }
  throw new Error("package.json of tango-grpc not found next to the program");
}
