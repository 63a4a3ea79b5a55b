import { readFileSync } from "node:fs";
import type { AccessOptions, ServerConfig } from "../server/index.js";
import { ConfigError, type ConfigProblem } from "./config-error.js";

/** The name the `TANGO_ADMIN_TOKEN` token goes by in the blackbox and the logs. */
export const ADMIN_TOKEN_NAME = "admin";

/**
 * The access section with its secrets read (docs/security.md): each token from exactly one of
 * `token`, `tokenEnv` (a variable of `env`) or `tokenFile` (white space around it ignored), plus
 * `TANGO_ADMIN_TOKEN` as an ADMIN token named `admin`, on gRPC as on REST. Secrets are never
 * part of a message.
 *
 * @throws ConfigError naming every token whose secret is missing, ambiguous or unreadable.
 */
export function accessOptionsFrom(config: Readonly<ServerConfig>, env: NodeJS.ProcessEnv, source: string,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8")): AccessOptions {
  const problems: ConfigProblem[] = [];
  const tokens: Array<NonNullable<AccessOptions["tokens"]>[number]> = [];
  const access = config.access;
  (access?.tokens ?? []).forEach((t, i) => {
    const path = ["access", "tokens", i];
    const given = [t.token, t.tokenEnv, t.tokenFile].filter((v) => v !== undefined).length;
    if (given !== 1) {
      problems.push({ where: source, path, message: `token ${t.name} needs exactly one of token, tokenEnv or tokenFile, got ${given}` });
      return;
    }
    let secret: string | undefined = t.token;
    if (t.tokenEnv !== undefined) {
      secret = env[t.tokenEnv]?.trim();
      if (secret === undefined || secret === "") {
        problems.push({ where: source, path: [...path, "tokenEnv"], message: `the environment variable ${t.tokenEnv} is not set` });
        return;
      }
    }
    if (t.tokenFile !== undefined) {
      try {
        secret = readFile(t.tokenFile).trim();
      } catch (err) {
        problems.push({ where: source, path: [...path, "tokenFile"], message: `cannot read ${t.tokenFile}: ${(err as Error).message}` });
        return;
      }
      if (secret === "") {
        problems.push({ where: source, path: [...path, "tokenFile"], message: `${t.tokenFile} is empty` });
        return;
      }
    }
    if (tokens.some((o) => o.name === t.name)) {
      problems.push({ where: source, path: [...path, "name"], message: `the name ${t.name} is used by another token` });
      return;
    }
    tokens.push({ name: t.name, secret: secret ?? "", rights: t.rights });
  });
  const adminToken = env.TANGO_ADMIN_TOKEN?.trim();
  if (adminToken !== undefined && adminToken !== "") {
    if (tokens.some((t) => t.name === ADMIN_TOKEN_NAME)) {
      problems.push({ where: "env TANGO_ADMIN_TOKEN", path: ["access", "tokens"],
        message: `TANGO_ADMIN_TOKEN is the token named ${ADMIN_TOKEN_NAME}; rename the configured token of that name` });
    } else tokens.push({ name: ADMIN_TOKEN_NAME, secret: adminToken, rights: "ADMIN" });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    ...(access?.anonymous === undefined ? {} : { anonymous: access.anonymous }),
    tokens,
    certificates: access?.certificates ?? [],
  };
}
