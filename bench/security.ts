import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata } from "@grpc/grpc-js";
import pino from "pino";
import { DeviceProxy } from "../src/client/index.js";
import { GrpcAuthenticator } from "../src/grpc/grpc-credentials.js";
import { AccessPolicy, Right } from "../src/server/index.js";
import { checkAccess } from "../src/server/access/access-check.js";
import type { CallContext } from "../src/server/request-api.js";
import { median, medianCalls, pooledCpuUs, type CallFigures } from "./figures.js";
import { callWindow, warmUp, type Call } from "./measure.js";
import { distScript, startProcess, type BenchProcess } from "./processes.js";
import { fixed, pct, table } from "./report.js";

/*
 * Part 6: what security costs per small call. Three server processes of the same config, each
 * called by a DeviceProxy over one long-lived connection, in alternating windows of the same
 * rounds:
 *   - plaintext, no access section: every caller is ADMIN and nothing is checked;
 *   - the access check: an `access` section with a WRITE token, sent by the client as
 *     `authorization` metadata on every call, so every call is authenticated and decided;
 *   - TLS on both ports (a certificate made here with openssl, EC P-256 as cert-manager's ECDSA
 *     issuers give): the handshake is paid once, so what is left is the record layer's
 *     encryption of every message, both ways.
 * Each trial starts the three servers afresh (one process can run 30 % slower than the next for
 * its whole life, so one process per set-up would measure processes, not set-ups). The access
 * decision is also timed on its own, in this process: authenticating the bearer header and
 * deciding, as the server does for every call.
 * Targets: TLS within 15 % of plaintext in calls/s; the access check not measurable: its own
 * cost under ACCESS_SHARE_PCT of the server CPU a call costs.
 */

export const TLS_TARGET_PCT = 15;
export const ACCESS_SHARE_PCT = 1;
const DEVICE = "sys/tg_test/1";
const WARM_UP_CALLS = 1000;
const TOKEN = "bench-token-0123456789abcdef";

/** The operations measured: the smallest call, and a small command with a value both ways. */
export const SECURITY_OPS = ["ping", "command_inout DevDouble"] as const;
export type SecurityOp = (typeof SECURITY_OPS)[number];
const CALLS: Record<SecurityOp, (dev: DeviceProxy) => Promise<unknown>> = {
  "ping": (d) => d.ping(),
  "command_inout DevDouble": (d) => d.commandInout("DevDouble", 3.14),
};

/** The set-ups compared with plaintext. */
export const VARIANTS = ["access check", "TLS"] as const;
export type Variant = (typeof VARIANTS)[number];

/** One operation in one mode: plaintext's figures, each variant's, and each variant's cost. */
export interface SecurityFigures {
  plaintext: CallFigures;
  variants: Record<Variant, CallFigures & {
    /** Median over rounds of (plaintext calls/s ÷ variant calls/s − 1), %. */
    slowdownPct: number;
    /** Server CPU per call, pooled over the rounds, µs. */
    cpuUs: number;
  }>;
  plaintextCpuUs: number;
}

export interface SecurityResult {
  ops: Record<SecurityOp, { sequential: SecurityFigures; inFlight: SecurityFigures }>;
  /** The access decision alone (authenticate the bearer header, decide), ns per call. */
  accessCheckNs: number;
}

/** The access decision of one call, timed in this process over `calls` calls: ns per call. */
export function timeAccessCheck(calls = 1_000_000): number {
  const policy = new AccessPolicy({ anonymous: "NONE", tokens: [{ name: "bench", secret: TOKEN, rights: [{ devices: "sys/*", right: "WRITE" }] }] });
  const authenticator = new GrpcAuthenticator(policy, pino({ level: "silent" }));
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${TOKEN}`);
  const call = { metadata, getPeer: () => "ipv4:127.0.0.1:1234" };
  const log = pino({ level: "silent" });
  let ctx: CallContext = { client: { host: "bench", peer: "ipv4:127.0.0.1:1234" }, transport: "grpc" };
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const principal = authenticator.principal(call);
      ctx = { ...ctx, principal };
      checkAccess(ctx, principal, DEVICE, Right.WRITE, "Command DevDouble", log);
    }
  };
  run(calls / 10);
  const t0 = process.hrtime.bigint();
  run(calls);
  return Number(process.hrtime.bigint() - t0) / calls;
}

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
 * `seconds` per set-up, the set-ups in an order that rotates from round to round.
 */
export async function runSecurity(opts: {
  trials: number; runs: number; seconds: number; inFlight: number; log: (line: string) => void;
}): Promise<SecurityResult> {
  const dir = mkdtempSync(join(tmpdir(), "tango-grpc-bench-security-"));
  try {
    const files = makeCertificate(dir);
    const devices = [{ name: "TangoTest", devices: [{ name: DEVICE }] }];
    const plainConfig = join(dir, "plain.json");
    writeFileSync(plainConfig, JSON.stringify({ server: "TangoTest", instance: "bench", classes: devices }));
    const accessConfig = join(dir, "access.json");
    writeFileSync(accessConfig, JSON.stringify({
      server: "TangoTest", instance: "bench", classes: devices,
      access: { anonymous: "NONE", tokens: [{ name: "bench", token: TOKEN, rights: "WRITE" }] },
    }));
    const env = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" };
    const modes = ["sequential", "inFlight"] as const;
    // rounds[op][mode][setup]: every round of every trial
    type Rounds = [CallFigures[], CallFigures[], CallFigures[]];
    const rounds = Object.fromEntries(SECURITY_OPS.map((op) => [op, Object.fromEntries(modes.map((m) => [m, [[], [], []] as Rounds]))])) as
      Record<SecurityOp, Record<(typeof modes)[number], Rounds>>;
    for (let trial = 0; trial < opts.trials; trial++) {
      const servers: BenchProcess[] = [];
      const proxies: DeviceProxy[] = [];
      try {
        const start = async (config: string, extra: NodeJS.ProcessEnv = {}): Promise<BenchProcess> => {
          const server = await startProcess(distScript("./bench-server.js"), ["--config", config], { ...env, ...extra });
          servers.push(server);
          return server;
        };
        const plainServer = await start(plainConfig);
        const accessServer = await start(accessConfig);
        const tlsServer = await start(plainConfig, { TANGO_TLS_CERT_FILE: files.cert, TANGO_TLS_KEY_FILE: files.key });
        const setups = [
          { server: plainServer, proxy: new DeviceProxy(`tango://127.0.0.1:${plainServer.grpcPort}/${DEVICE}`, { token: "" }) },
          { server: accessServer, proxy: new DeviceProxy(`tango://127.0.0.1:${accessServer.grpcPort}/${DEVICE}`, { token: TOKEN }) },
          { server: tlsServer, proxy: new DeviceProxy(`tango+tls://localhost:${tlsServer.grpcPort}/${DEVICE}`, { tls: { ca: files.ca }, token: "" }) },
        ];
        proxies.push(...setups.map((x) => x.proxy));
        opts.log(`security: trial ${trial + 1} of ${opts.trials}`);
        for (const op of SECURITY_OPS) {
          const calls: Call[] = setups.map((x) => () => CALLS[op](x.proxy));
          for (const call of calls) await warmUp(call, WARM_UP_CALLS, opts.inFlight);
          for (const mode of modes) {
            const concurrency = mode === "sequential" ? 1 : opts.inFlight;
            for (let r = 0; r < opts.runs; r++) {
              const round: CallFigures[] = [];
              for (let k = 0; k < setups.length; k++) {
                const which = (r + k + trial) % setups.length;
                const server = setups[which]!.server;
                round[which] = await callWindow(calls[which]!, concurrency, opts.seconds, () => server.cpuNs());
              }
              round.forEach((f, which) => rounds[op][mode][which as 0 | 1 | 2].push(f));
            }
          }
        }
      } finally {
        for (const proxy of proxies) proxy.close();
        await Promise.all(servers.map((x) => x.stop()));
      }
    }
    const figuresOf = (runs: [CallFigures[], CallFigures[], CallFigures[]]): SecurityFigures => {
      const [plainRuns] = runs;
      const variants = Object.fromEntries(VARIANTS.map((name, i) => {
        const own = runs[(i + 1) as 1 | 2];
        const slowdowns = plainRuns.map((p, round) => (p.callsPerSecond / (own[round]?.callsPerSecond ?? NaN) - 1) * 100);
        return [name, { ...medianCalls(own), slowdownPct: median(slowdowns), cpuUs: pooledCpuUs(own) }];
      })) as SecurityFigures["variants"];
      return { plaintext: medianCalls(plainRuns), variants, plaintextCpuUs: pooledCpuUs(plainRuns) };
    };
    const ops = Object.fromEntries(SECURITY_OPS.map((op) => [op, {
      sequential: figuresOf(rounds[op].sequential), inFlight: figuresOf(rounds[op].inFlight),
    }])) as SecurityResult["ops"];
    return { ops, accessCheckNs: timeAccessCheck() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The part's table. */
export function printSecurity(result: SecurityResult, settings: { trials: number; runs: number; seconds: number; inFlight: number }): void {
  console.log(`\n### Security: small calls over plaintext, with the access check, and over TLS, one connection each (medians of ${settings.trials} trials of fresh servers × ${settings.runs} rotating rounds of ${settings.seconds} s)\n`);
  console.log(table(
    ["operation", "mode", "plaintext calls/s", "p50 ms", ...VARIANTS.flatMap((v) => [`${v} calls/s`, "slower by"]), "server CPU µs/call plaintext", ...VARIANTS],
    SECURITY_OPS.flatMap((op) => (["sequential", "inFlight"] as const).map((mode) => {
      const f = result.ops[op][mode];
      return [op, mode === "sequential" ? "sequential" : `${settings.inFlight} in flight`,
        fixed(f.plaintext.callsPerSecond), fixed(f.plaintext.p50Ms, 3),
        ...VARIANTS.flatMap((v) => [fixed(f.variants[v].callsPerSecond), pct(f.variants[v].slowdownPct)]),
        fixed(f.plaintextCpuUs), ...VARIANTS.map((v) => fixed(f.variants[v].cpuUs))];
    })),
  ));
  console.log("\nslower by: the median over rounds of (plaintext calls/s ÷ set-up calls/s − 1), both measured in the same round. "
    + "The access check: a WRITE bearer token on every call, authenticated and decided by the server. "
    + "TLS: an EC P-256 certificate; the handshake is made during the warm-up, so the figures are the record layer's cost.");
  console.log(`\nThe access decision alone (authenticate the bearer header, decide on the device), timed in process: ${fixed(result.accessCheckNs)} ns per call.`);
}

/** The part's target rows: TLS's worst operation and mode; the access check's share of a call's server CPU. */
export function securityTargets(result: SecurityResult): { target: string; measured: string; met: boolean }[] {
  const all = SECURITY_OPS.flatMap((op) => (["sequential", "inFlight"] as const).map((mode) => ({ op, mode, pct: result.ops[op][mode].variants.TLS.slowdownPct })));
  const worst = all.reduce((w, x) => (x.pct > w.pct ? x : w));
  const cheapestCallUs = Math.min(...SECURITY_OPS.flatMap((op) => [result.ops[op].sequential.plaintextCpuUs, result.ops[op].inFlight.plaintextCpuUs]));
  const sharePct = result.accessCheckNs / 1000 / cheapestCallUs * 100;
  return [
    {
      target: `TLS within ${TLS_TARGET_PCT} % of plaintext in calls/s (small calls)`,
      measured: `worst ${pct(worst.pct)} slower (${worst.op}, ${worst.mode}); ${all.map((x) => `${x.op} ${x.mode} ${pct(x.pct)}`).join(", ")}`,
      met: worst.pct <= TLS_TARGET_PCT,
    },
    {
      target: `the access check not measurable (under ${ACCESS_SHARE_PCT} % of a small call's server CPU)`,
      measured: `${fixed(result.accessCheckNs)} ns per call, ${sharePct.toFixed(2)} % of the cheapest call's ${fixed(cheapestCallUs)} µs`,
      met: sharePct < ACCESS_SHARE_PCT,
    },
  ];
}
