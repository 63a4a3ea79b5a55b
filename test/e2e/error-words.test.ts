import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { DeviceProxy } from "../../src/client/index.js";
import { DevFailed, MultiDevFailed, type DevError } from "../../src/core/index.js";
import { Device, command } from "../../src/device/index.js";
import { fromGrpcError, loadTangoProto, startGrpcServer, type GrpcServerHandle } from "../../src/grpc/index.js";
import { runCliProcess } from "../support/cli-process.js";
import { startRestServer, TEST_TOKEN, type RestServer } from "../support/rest-server.js";
import { ERROR_WORDS, type Frame, type Proxies, type Surfaces } from "./error-words-table.js";

/** A device whose one command outlasts a short client timeout (bounded: it ends after 1 s). */
class Slow extends Device {
  @command()
  async Sleep(): Promise<void> {
    await sleep(1000);
  }
}

type Unary = (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

function framesOf(errors: readonly DevError[]): Frame[] {
  return errors.map((e) => [e.reason, e.desc, e.origin]);
}

function framesOfJson(errors: unknown, desc: "desc" | "description"): Frame[] {
  expect(errors, "an error stack").to.be.an("array");
  return (errors as Record<string, string>[]).map((e) => [e.reason ?? "", e[desc] ?? "", e.origin ?? ""]);
}

/** The stack a client call ends with: its DevFailed's, a MultiDevFailed's first element's, [] on success. */
async function stackOf(p: Promise<unknown>): Promise<Frame[]> {
  try {
    await p;
    return [];
  } catch (err) {
    if (err instanceof DevFailed) return framesOf(err.errors);
    if (err instanceof MultiDevFailed) return framesOf(err.errors[0].errors);
    throw err;
  }
}

/** An address nothing listens on: a port the OS gave, then closed. */
async function deadAddress(): Promise<string> {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address() as { port: number };
  s.close();
  await once(s, "close");
  return `127.0.0.1:${port}`;
}

/** Compares a stack with the row's: reason and origin exactly, the description exactly or by its pattern. */
function expectStack(got: Frame[], want: readonly Frame[], label: string): void {
  const shown = JSON.stringify(got, null, 1);
  expect(got.length, `${label}: ${shown}`).to.equal(want.length);
  want.forEach(([reason, desc, origin], i) => {
    const [r, d, o] = got[i] ?? ["", "", ""];
    expect(r, `${label}, frame ${i} reason: ${shown}`).to.equal(reason);
    if (typeof desc === "string") expect(d, `${label}, frame ${i} description`).to.equal(desc);
    else expect(d, `${label}, frame ${i} description`).to.match(desc);
    expect(o, `${label}, frame ${i} origin: ${shown}`).to.equal(origin);
  });
}

describe("error words: the stacks of misuses on every surface, in cppTango's words (spec §18)", function () {
  this.timeout(120_000);
  let rest: RestServer | undefined;
  let handle: GrpcServerHandle | undefined;
  let client: (grpc.Client & Record<string, Unary>) | undefined;
  const proxies: DeviceProxy[] = [];
  let surfaces: Surfaces;

  before(async () => {
    rest = await startRestServer({
      classes: { Slow },
      devices: { TangoTest: ["sys/tg_test/1"], PowerSupply: ["test/ps/1"], Slow: ["test/slow/1"] },
      config: { server: "TangoTest", instance: "test" },
    });
    const r = rest;
    handle = await startGrpcServer({ api: r.server.api, host: "127.0.0.1", port: 0, maxMessageBytes: 64 * 1024 * 1024, logger: r.server.log });
    const address = `127.0.0.1:${handle.port}`;
    const Ctor = grpc.makeGenericClientConstructor(loadTangoProto().deviceService, "Device");
    const c = new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Unary>;
    client = c;
    const proxy = (device: string, at = address, timeoutMs = 3000): DeviceProxy => {
      const p = new DeviceProxy(`tango://${at}/${device}#dbase=no`, { timeoutMs });
      proxies.push(p);
      return p;
    };
    const p: Proxies = {
      tg: proxy("sys/tg_test/1"), tg2: proxy("sys/tg_test/1"), ps: proxy("test/ps/1"), admin: proxy("dserver/TangoTest/test"),
      slow: proxy("test/slow/1", address, 300), dead: proxy("sys/tg_test/1", await deadAddress()),
    };
    surfaces = {
      grpc: (method, request, metadata = {}) => stackOf(new Promise((resolve, reject) => {
        const fn = c[method];
        if (fn === undefined) throw new TypeError(`no method ${method}`);
        const md = new grpc.Metadata();
        for (const [k, v] of Object.entries(metadata)) md.set(k, v);
        fn.call(c, request, md, (err, res) => {
          if (err) return reject(fromGrpcError(err) ?? err);
          // A read fails per attribute: the element's stack is the row's.
          const values = (res as { values?: { errors?: DevError[] }[] } | undefined)?.values;
          const errors = method === "ReadAttributes" ? values?.[0]?.errors : undefined;
          if (errors !== undefined && errors.length > 0) return reject(new DevFailed(errors as [DevError, ...DevError[]]));
          resolve(res);
        });
      })),
      client: (fn) => stackOf(fn(p)),
      async rest(method, path, body) {
        const answer = await r.request(method, path, { body, token: TEST_TOKEN });
        if (answer.status < 400) return [];
        return framesOfJson((answer.body as { errors?: unknown }).errors, "description");
      },
      async cli(args) {
        const res = await runCliProcess([...args.map((a) => a.replace("{grpc}", address)), "--json"], { timeoutMs: 30_000 });
        if (res.code === 0) return [];
        // A failed read is an element of "attributes"; any other failure the document's "error".
        const doc = JSON.parse(res.stdout) as { error?: { errors?: unknown }; attributes?: { error?: { errors?: unknown } }[] };
        return framesOfJson(doc.error?.errors ?? doc.attributes?.[0]?.error?.errors, "desc");
      },
    };
  });

  after(async () => {
    for (const p of proxies) p.close();
    client?.close();
    await handle?.close(1000);
    await rest?.close();
  });

  it("has at least 40 rows, on each of the four surfaces", () => {
    expect(ERROR_WORDS.length).to.be.at.least(40);
    for (const surface of ["grpc", "client", "rest", "cli"] as const) {
      expect(ERROR_WORDS.filter((r) => r.surface === surface), surface).to.not.be.empty;
    }
  });

  for (const row of ERROR_WORDS) {
    it(`${row.surface}: ${row.what}`, async () => {
      expectStack(await row.call(surfaces), row.stack, `${row.surface}: ${row.what}`);
    });
  }

  it("rest: a DevVoid command answers output null on device and admin routes alike", async () => {
    const r = rest;
    if (r === undefined) throw new Error("no server");
    const device = await r.request("PUT", "/api/v1/devices/sys/tg_test/1/commands/DevVoid", { token: TEST_TOKEN });
    expect(device.status).to.equal(200);
    expect(device.body).to.have.property("output", null);
    const admin = await r.request("POST", "/api/v1/admin/commands/StartPolling", { token: TEST_TOKEN });
    expect(admin.status).to.equal(200);
    expect(admin.body).to.have.property("output", null);
  });
});
