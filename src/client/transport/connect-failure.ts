import { diagnoseTls, isTlsPort } from "../tls-failure.js";
import type { ChannelTarget } from "../connection.js";

/** How long the handshake that tells why a TLS channel failed may take, ms. */
const TLS_DIAGNOSIS_MS = 1_000;
/** How long the check whether a failed plaintext channel dialled a TLS port may take, ms. */
const TLS_PORT_PROBE_MS = 300;

/**
 * Why a connection to `target` failed, when TLS is the cause: the handshake of a TLS channel
 * (`tls`), or a plaintext channel dialling a TLS port (`tlsPort`). Undefined otherwise (nothing
 * listens, say). Bounded by `deadline` and never longer than a second.
 */
export async function tlsFailureAt(target: ChannelTarget, deadline: number): Promise<{ kind: "tls" | "tlsPort"; detail: string } | undefined> {
  const colon = target.address.lastIndexOf(":");
  const host = target.address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.address.slice(colon + 1));
  const timeoutMs = Math.min(TLS_DIAGNOSIS_MS, deadline - Date.now());
  if (target.security.isTls) {
    const detail = await diagnoseTls(host, port, target.security.tlsOptions, timeoutMs);
    return detail === undefined ? undefined : { kind: "tls", detail };
  }
  const isTls = await isTlsPort(host, port, Math.min(timeoutMs, TLS_PORT_PROBE_MS));
  return isTls ? { kind: "tlsPort", detail: "a TLS handshake succeeds there" } : undefined;
}
