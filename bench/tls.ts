import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceProxy } from "../src/client/index.js";
import { median, medianCalls, pooledCpuUs, type CallFigures } from "./figures.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import { distScript, startProcess, type BenchProcess } from "./processes.js";
import { fixed, pct, table } from "./report.js";

/*
 * Part 6: the cost of TLS per small call. Two server processes of the same config, one plaintext
 * and one with TLS on both ports (a certificate made here with openssl, EC P-256 as cert-manager's
 * ECDSA issuers give), each called by a DeviceProxy over one long-lived connection, in alternating
 * windows of the same rounds: the handshake is paid once, so what is left is the record layer's
 * encryption of every message, both ways. The target: TLS within 15 % of plaintext in calls/s.
 */

export const TLS_TARGET_PCT = 15;
const DEVICE = "sys/tg_test/1";
const WARM_UP_CALLS = 1000;

/** The operations measured: the smallest call, and a small command with a value both ways. */
export const TLS_OPS = ["ping", "command_inout DevDouble"] as const;
export type TlsOp = (typeof TLS_OPS)[number];
const CALLS: Record<TlsOp, (dev: DeviceProxy) => Promise<unknown>> = {
  "ping": (d) => d.ping(),
  "command_inout DevDouble": (d) => d.commandInout("DevDouble", 3.14),
};

/** One operation in one mode: both set-ups' figures and TLS's cost. */
export interface TlsFigures {
  plaintext: CallFigures;
  tls: CallFigures;
  /** Median over rounds of (plaintext calls/s ÷ TLS calls/s − 1), %. */
  slowdownPct: number;
  /** Server CPU per call, pooled over the rounds, µs. */
  plaintextCpuUs: number;
  tlsCpuUs: number;
}

export type TlsResult = Record<TlsOp, { sequential: TlsFigures; inFlight: TlsFigures }>;

/** A CA and a server certificate for 127.0.0.1 and localhost, in `dir`. */
function makeCertificate(dir: string): { ca: string; cert: string; key: string } {
  const openssl = (args: readonly string[]): void => { execFileSync("openssl", args, { cwd: dir, stdio: "ignore", timeout: 20_000 }); };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(["req", "-x509", ...ec, "-days", "1", "-subj", "/CN=bench CA", "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE"]);
  openssl(["req", ...ec, "-subj", "/CN=localhost", "-keyout", "tls.key", "-out", "tls.csr"]);
  writeFileSync(join(dir, "tls.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl(["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "tls.ext", "-out", "tls.crt"]);
  return { ca: join(dir, "ca.crt"), cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
}

/**
 * Measures every operation sequentially and with `inFlight` calls outstanding, `runs` rounds of
 * `seconds` per set-up, plaintext and TLS alternating (which goes first alternates too).
 */
export async function runTls(opts: { runs: number; seconds: number; inFlight: number; log: (line: string) => void }): Promise<TlsResult> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-tls-"));
  const servers: BenchProcess[] = [];
  const proxies: DeviceProxy[] = [];
  try {
    const files = makeCertificate(dir);
    const config = join(dir, "server.json");
    writeFileSync(config, JSON.stringify({ server: "TangoTest", instance: "bench", classes: [{ name: "TangoTest", devices: [{ name: DEVICE }] }] }));
    const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" };
    const plainServer = await startProcess(distScript("./bench-server.js"), ["--config", config], env);
    servers.push(plainServer);
    const tlsServer = await startProcess(distScript("./bench-server.js"), ["--config", config],
      { ...env, TANGO_TLS_CERT_FILE: files.cert, TANGO_TLS_KEY_FILE: files.key });
    servers.push(tlsServer);
    const plain = new DeviceProxy(`tango://127.0.0.1:${plainServer.grpcPort}/${DEVICE}`);
    const tls = new DeviceProxy(`tango+tls://localhost:${tlsServer.grpcPort}/${DEVICE}`, { tls: { ca: files.ca } });
    proxies.push(plain, tls);

    const result = {} as TlsResult;
    for (const op of TLS_OPS) {
      const calls: [Call, Call] = [() => CALLS[op](plain), () => CALLS[op](tls)];
      for (const call of calls) await warmUp(call, WARM_UP_CALLS, opts.inFlight);
      const figuresOf = async (concurrency: number): Promise<TlsFigures> => {
        const plainRuns: CallFigures[] = [];
        const tlsRuns: CallFigures[] = [];
        for (let r = 0; r < opts.runs; r++) {
          const order = r % 2 === 0 ? [0, 1] as const : [1, 0] as const;
          for (const which of order) {
            const server = which === 0 ? plainServer : tlsServer;
            const figures = await callWindow(calls[which], concurrency, opts.seconds, () => server.cpuNs());
            (which === 0 ? plainRuns : tlsRuns).push(figures);
          }
        }
        const slowdowns = plainRuns.map((p, i) => (p.callsPerSecond / (tlsRuns[i]?.callsPerSecond ?? NaN) - 1) * 100);
        return {
          plaintext: medianCalls(plainRuns), tls: medianCalls(tlsRuns), slowdownPct: median(slowdowns),
          plaintextCpuUs: pooledCpuUs(plainRuns), tlsCpuUs: pooledCpuUs(tlsRuns),
        };
      };
      opts.log(`tls: ${op}`);
      result[op] = { sequential: await figuresOf(1), inFlight: await figuresOf(opts.inFlight) };
    }
    return result;
  } finally {
    for (const proxy of proxies) proxy.close();
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The part's table. */
export function printTls(result: TlsResult, settings: { runs: number; seconds: number; inFlight: number }): void {
  console.log(`\n### TLS: small calls over plaintext and over TLS, one connection each (medians of ${settings.runs} alternating rounds of ${settings.seconds} s)\n`);
  console.log(table(
    ["operation", "mode", "plaintext calls/s", "p50 ms", "TLS calls/s", "p50 ms", "TLS slower by", "server CPU µs/call plaintext", "TLS"],
    TLS_OPS.flatMap((op) => (["sequential", "inFlight"] as const).map((mode) => {
      const f = result[op][mode];
      return [op, mode === "sequential" ? "sequential" : `${settings.inFlight} in flight`,
        fixed(f.plaintext.callsPerSecond), fixed(f.plaintext.p50Ms, 3), fixed(f.tls.callsPerSecond), fixed(f.tls.p50Ms, 3),
        pct(f.slowdownPct), fixed(f.plaintextCpuUs), fixed(f.tlsCpuUs)];
    })),
  ));
  console.log("\nTLS slower by: the median over rounds of (plaintext calls/s ÷ TLS calls/s − 1), both measured in the same round. "
    + "The TLS server uses an EC P-256 certificate; the handshake is made during the warm-up, so the figures are the record layer's cost.");
}

/** The part's target row: the worst operation and mode against TLS_TARGET_PCT. */
export function tlsTargets(result: TlsResult): { target: string; measured: string; met: boolean }[] {
  const all = TLS_OPS.flatMap((op) => (["sequential", "inFlight"] as const).map((mode) => ({ op, mode, pct: result[op][mode].slowdownPct })));
  const worst = all.reduce((w, x) => (x.pct > w.pct ? x : w));
  return [{
    target: `TLS within ${TLS_TARGET_PCT} % of plaintext in calls/s (small calls)`,
    measured: `worst ${pct(worst.pct)} slower (${worst.op}, ${worst.mode}); ${all.map((x) => `${x.op} ${x.mode} ${pct(x.pct)}`).join(", ")}`,
    met: worst.pct <= TLS_TARGET_PCT,
  }];
}
