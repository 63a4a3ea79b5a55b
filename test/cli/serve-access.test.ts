import { expect } from "chai";
import { runServe } from "../../src/cli/serve.js";
import { FakeProcess, LogSink, type LogLine } from "../support/log-sink.js";
import { DeviceProxy } from "../../src/client/index.js";
import { DevFailed, Reason } from "../../src/core/index.js";

const WAIT_MS = 10_000;
const LOCAL = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };
/** gRPC on every interface (port 0, chosen by the OS); the test still talks to 127.0.0.1 only. */
const EXPOSED = { ...LOCAL, TANGO_GRPC_HOST: "0.0.0.0" };
const ADMIN_TOKEN = "serve-admin-token-0123456789";
const OPEN_WARNING = /^access is open: callers without credentials may write attributes, run commands, restart and kill the server/;




function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${WAIT_MS} ms`)), WAIT_MS); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("serve: open access and tokens", () => {
  let proc: FakeProcess;
  let logs: LogSink;
  let run: Promise<number> | undefined;
  const proxies: DeviceProxy[] = [];

  beforeEach(() => {
    proc = new FakeProcess();
    logs = new LogSink();
    run = undefined;
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) p.close();
    if (run !== undefined) {
      proc.emit("SIGTERM", "SIGTERM");
      await within(run, "shutdown after the test");
    }
  });

  async function startServe(env: NodeJS.ProcessEnv): Promise<{ grpcPort: number; httpPort: number }> {
    run = runServe({ env, logDestination: logs, process: proc });
    const ready = new Promise<LogLine>((resolve) => {
      const check = (): void => {
        const line = logs.lines.find((l) => l.msg === "Ready to accept request");
        if (line !== undefined) { logs.off("line", check); resolve(line); }
      };
      logs.on("line", check);
      check();
    });
    const line = await within(Promise.race([ready, run.then(() => expect.fail("runServe ended early"))]), "startup");
    return { grpcPort: line.grpcPort as number, httpPort: line.httpPort as number };
  }

  async function probe(httpPort: number): Promise<{ readyz: Record<string, unknown>; metric: string | undefined }> {
    const readyz = await (await fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(WAIT_MS) })).json() as Record<string, unknown>;
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(WAIT_MS) })).text();
    return { readyz, metric: text.split("\n").find((l) => l.startsWith("tango_server_open_access ")) };
  }

  it("warns at start that a server with no credentials is open, without /readyz warnings while it binds loopback only", async () => {
    const { httpPort } = await startServe(LOCAL);
    const warning = logs.lines.find((l) => typeof l.msg === "string" && OPEN_WARNING.test(l.msg));
    expect(warning, "the start-up warning").to.include({ level: 40 });
    const { readyz, metric } = await probe(httpPort);
    expect(readyz).to.not.have.property("warnings");
    expect(metric).to.equal("tango_server_open_access 0");
  });

  it("says so in /readyz's body and tango_server_open_access when it binds a non-loopback address", async () => {
    const { httpPort } = await startServe(EXPOSED);
    const { readyz, metric } = await probe(httpPort);
    expect(readyz.ready).to.equal(true);
    expect(readyz.warnings).to.be.an("array").with.length(1);
    expect((readyz.warnings as string[])[0]).to.match(OPEN_WARNING).and.contain("on 0.0.0.0, 127.0.0.1");
    expect(metric).to.equal("tango_server_open_access 1");
  });

  it("with TANGO_ADMIN_TOKEN: no warning, anonymous gRPC callers read but cannot Kill, and a client with the token (option or TANGO_TOKEN) can", async () => {
    const { grpcPort, httpPort } = await startServe({ ...EXPOSED, TANGO_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(logs.lines.some((l) => typeof l.msg === "string" && OPEN_WARNING.test(l.msg))).to.equal(false);
    const { readyz, metric } = await probe(httpPort);
    expect(readyz).to.not.have.property("warnings");
    expect(metric).to.equal("tango_server_open_access 0");

    const trl = `tango://127.0.0.1:${grpcPort}/dserver/TangoTest/test#dbase=no`;
    const anonymous = new DeviceProxy(trl, { token: "" });
    proxies.push(anonymous);
    expect(await anonymous.commandInout("QueryDevice")).to.include("TangoTest::sys/tg_test/1");
    const refused = await anonymous.commandInout("Kill").then(() => undefined, (err: unknown) => err);
    expect(refused).to.be.instanceOf(DevFailed);
    expect((refused as DevFailed).errors[0].reason).to.equal(Reason.ReadOnlyMode);

    const saved = process.env.TANGO_TOKEN;
    process.env.TANGO_TOKEN = ADMIN_TOKEN;
    let fromEnv: DeviceProxy;
    try {
      fromEnv = new DeviceProxy(trl);
    } finally {
      if (saved === undefined) delete process.env.TANGO_TOKEN;
      else process.env.TANGO_TOKEN = saved;
    }
    proxies.push(fromEnv);
    await fromEnv.commandInout("StopPolling");
    const withOption = new DeviceProxy(trl, { token: ADMIN_TOKEN });
    proxies.push(withOption);
    await withOption.commandInout("Kill");
    expect(await within(run ?? Promise.reject(new Error("not started")), "shutdown after Kill")).to.equal(0);
    run = undefined;
    expect(logs.lines.find((l) => l.msg === "shutting down")).to.include({ cause: "Kill" });
  });
});
