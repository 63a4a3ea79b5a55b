import { connect } from "node:net";
import { DeviceProxy } from "../client/index.js";
import { DevFailed, Reason } from "../core/index.js";
import type { AdminPing, RegisteredAddress } from "../server/index.js";

/** What pingAdminAt's proxies need. */
export interface AdminPingOptions {
  /** The longest the ping may take, connecting included, ms (the database client's timeout). */
  readonly timeoutMs: number;
  /** The bearer token of the server's own calls; none: no token. */
  readonly token?: string | undefined;
}

/** The longest the TCP probe after a failed connection may take, ms. */
const TCP_PROBE_MS = 1000;

/**
 * The registration's AdminPing (server/registry/already-running.ts): a client Ping of the admin
 * device at the address the database gave, `tango://` or `tango+tls://` as it was registered,
 * without the database (`#dbase=no`) and without a second try, on a proxy closed afterwards.
 *
 * When no gRPC connection could be made but the address accepts TCP connections, a process holds
 * the port without answering (stopped, or hung): that is cppTango's NO_RESPONSE, and the ping
 * fails with API_DeviceTimedOut. A refused or unanswered TCP connection is a stale address.
 */
export function pingAdminAt(opts: AdminPingOptions): AdminPing {
  return async (at, adminName, signal) => {
    const protocol = at.isTls ? "tango+tls" : "tango";
    const proxy = new DeviceProxy(`${protocol}://${at.address}/${adminName}#dbase=no`,
      { timeoutMs: opts.timeoutMs, token: opts.token ?? "", transparentReconnection: false });
    try {
      await proxy.ping({ signal });
    } catch (err) {
      if (!(err instanceof DevFailed) || err.reason !== Reason.CantConnectToDevice || !(await acceptsTcp(at, signal))) throw err;
      throw DevFailed.of(Reason.DeviceTimedOut,
        `${adminName} at ${at.address} accepts connections but did not answer within ${opts.timeoutMs} mS`, "pingAdminAt");
    } finally {
      proxy.close();
    }
  };
}

/** Whether a TCP connection to `at` is accepted within TCP_PROBE_MS. */
async function acceptsTcp(at: RegisteredAddress, signal: AbortSignal): Promise<boolean> {
  const colon = at.address.lastIndexOf(":");
  const host = at.address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(at.address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return false;
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, signal: AbortSignal.any([signal, AbortSignal.timeout(TCP_PROBE_MS)]) });
    const done = (isAccepted: boolean): void => {
      socket.destroy();
      resolve(isAccepted);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
