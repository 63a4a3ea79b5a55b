import { hostname } from "node:os";
import type { Logger } from "pino";
import { DeviceProxy } from "../client/index.js";
import { DATABASE_DEVICE, DATABASE_RETRY_MIN_MS, DATABASE_RETRY_MAX_MS, DATABASE_CHECK_INTERVAL_MS, CLIENT_TIMEOUT_MS } from "../core/defaults.js";
import {
  DatabaseStore, ServerRegistration, isUnreachable, type DatabaseLink, type ServerConfig,
} from "../server/index.js";
import { pingAdminAt } from "./admin-ping.js";

/*
 * A device server's Tango database, when its config has `tangoHost` (spec §15, DESIGN §10): the
 * client of the DataBase device, the store that keeps the properties there, and the registration.
 */

/** Options of openDatabaseLink. */
export interface DatabaseLinkOptions {
  /** `host:port`, or several comma-separated: tried in turn, the one that answered first. */
  readonly tangoHost: string;
  /** The longest one command may take, connecting included, ms. */
  readonly timeoutMs: number;
  /** The bearer token the database's access control sees; none: no token. */
  readonly token?: string | undefined;
}

/**
 * The DataBase device `sys/database/2` of each TANGO_HOST entry through a DeviceProxy
 * (`tango://<host:port>/sys/database/2#dbase=no`). A command goes to the entry that answered
 * last; when it cannot be reached the next ones are tried, and the first that answers is used
 * from then on. A refusal from a database is not a reason to try another.
 */
export function openDatabaseLink(opts: DatabaseLinkOptions): DatabaseLink {
  const proxies = opts.tangoHost.split(",").map((entry) => entry.trim()).map((address) =>
    new DeviceProxy(`tango://${address}/${DATABASE_DEVICE}#dbase=no`, { timeoutMs: opts.timeoutMs, token: opts.token ?? "" }));
  let current = 0;
  return {
    tangoHost: opts.tangoHost,
    async command(name, argin, signal) {
      let failure: unknown;
      for (let i = 0; i < proxies.length; i++) {
        const k = (current + i) % proxies.length;
        const proxy = proxies[k] as DeviceProxy;
        try {
          const out: unknown = await proxy.commandInout(name, argin, signal === undefined ? undefined : { signal });
          current = k;
          return out;
        } catch (err) {
          if (signal?.aborted === true || !isUnreachable(err)) throw err;
          failure = err;
        }
      }
      throw failure;
    },
    close() {
      for (const proxy of proxies) proxy.close();
    },
  };
}

/** A server's database: the store and registry its DeviceServer takes, and the link to close at the end. */
export interface Registration {
  readonly store: DatabaseStore;
  readonly registry: ServerRegistration;
  /** Closes the connections to the database (after the server's shutdown, which unexports it). */
  close(): void;
}

/**
 * The registration of a server whose config has `tangoHost`; undefined without one. `address`
 * gives the address clients must dial once the gRPC server listens (DeviceServer.grpcAddress).
 */
export function openRegistration(config: Readonly<ServerConfig>, opts: {
  readonly log: Logger;
  readonly address: () => string | undefined;
  /** TANGO_TOKEN: the token of the server's own calls to the database. */
  readonly token?: string | undefined;
}): Registration | undefined {
  if (config.tangoHost === undefined) return undefined;
  const client = config.databaseClient;
  const link = openDatabaseLink({ tangoHost: config.tangoHost, timeoutMs: client?.timeoutMs ?? CLIENT_TIMEOUT_MS, token: opts.token });
  const log = opts.log.child({ server: config.server, instance: config.instance });
  if (config.storePath !== undefined) {
    log.warn({ storePath: config.storePath, tangoHost: config.tangoHost }, "storePath is not used: with a database, properties are kept there");
  }
  const store = new DatabaseStore({ link, log });
  const registry = new ServerRegistration({
    link, store, log,
    serverId: `${config.server}/${config.instance}`,
    adminName: `dserver/${config.server}/${config.instance}`,
    hostName: hostname(),
    pid: process.pid,
    address: opts.address,
    isTls: config.tls !== undefined,
    retryMinMs: DATABASE_RETRY_MIN_MS,
    retryMaxMs: client?.retryMaxMs ?? DATABASE_RETRY_MAX_MS,
    checkIntervalMs: client?.checkIntervalMs ?? DATABASE_CHECK_INTERVAL_MS,
    pingAdmin: pingAdminAt({ timeoutMs: client?.timeoutMs ?? CLIENT_TIMEOUT_MS, token: opts.token }),
  });
  return { store, registry, close: () => link.close() };
}
