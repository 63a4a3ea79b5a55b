import { isIP } from "node:net";
import { Gauge, type Registry } from "prom-client";
import { Right, type AccessPolicy } from "../server/index.js";

/** What `serve` says of a server that callers without credentials may change. */
export interface OpenAccess {
  /** Anonymous callers have WRITE or ADMIN somewhere (no token and no access section, or `anonymous` says so). */
  readonly isOpen: boolean;
  /** Open, and bound to an address other machines can reach. */
  readonly isExposed: boolean;
  /** The start-up warning; also `/readyz`'s `warnings` when exposed. */
  readonly warning: string;
}

/** Whether `host` is a loopback address or name (then only this machine can call). */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** Whether the server is open to anonymous writers, and on which binds. */
export function openAccessOf(access: AccessPolicy, hosts: readonly string[]): OpenAccess {
  const isOpen = access.anonymous.maxRight >= Right.WRITE;
  const isExposed = isOpen && hosts.some((h) => !isLoopbackHost(h));
  const who = access.anonymous.maxRight === Right.ADMIN ? "write attributes, run commands, restart and kill the server" : "write attributes and run commands";
  return {
    isOpen,
    isExposed,
    warning: `access is open: callers without credentials may ${who}${isExposed ? ` on ${[...new Set(hosts)].join(", ")}` : ""}. `
      + "Set TANGO_ADMIN_TOKEN or an access section (docs/security.md)",
  };
}

/**
 * `tango_server_open_access`: 1 while callers without credentials may change the server through
 * a non-loopback address, else 0; alert on it.
 */
export function registerOpenAccessMetric(registry: Registry, open: OpenAccess): void {
  new Gauge({
    name: "tango_server_open_access",
    help: "1 when callers without credentials may write to or administer this server through a non-loopback address",
    registers: [registry],
  }).set(open.isExposed ? 1 : 0);
}
