import { expect } from "chai";
import { CmdArgType, Reason } from "../../src/core/index.js";
import type { CallContext } from "../../src/server/index.js";
import { expectDevFailed } from "../support/test-server.js";
import { startRestServer, TEST_TOKEN, type RestAnswer, type RestServer } from "../support/rest-server.js";

const A = "/api/v1/admin";
const TG = "sys/tg_test/1";
const LOCK = `${A}/devices/${TG}/lock`;
/** A gRPC client as the server sees it. */
const OWNER: CallContext = { client: { host: "lab1", peer: "127.0.0.1:40000", pid: 4242, language: "TypeScript" }, transport: "grpc" };

interface RestError { reason: string; description: string }

function rootError(res: RestAnswer, status: number, reason: string): RestError {
  expect(res.status, res.text).to.equal(status);
  const root = (res.body as { errors: RestError[] }).errors[0];
  expect(root?.reason, res.text).to.equal(reason);
  return root as RestError;
}

describe("the REST lock routes", () => {
  let rs: RestServer;
  afterEach(() => rs.close());

  const lockAsOwner = (): Promise<unknown> => rs.server.api.commandInout(OWNER, rs.server.adminName, "LockDevice",
    { type: CmdArgType.DevVarLongStringArray, value: { lvalue: Int32Array.of(30), svalue: [TG] } });

  describe("with an admin token", () => {
    beforeEach(async () => { rs = await startRestServer(); });

    it("tells a device's lock and who holds it, without the token", async () => {
      let res = await rs.request("GET", LOCK);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ device: TG, locked: false, text: `Device ${TG} is not locked` });
      await lockAsOwner();
      res = await rs.request("GET", LOCK);
      expect(res.body).to.deep.equal({
        device: TG, locked: true, owner: { host: "lab1", pid: 4242, address: "127.0.0.1:40000" },
        text: `Device ${TG} is locked by TypeScript client with PID 4242 from host lab1`,
      });
      rootError(await rs.request("GET", `${A}/devices/sys/tg_test/9/lock`), 404, Reason.DeviceNotFound);
    });

    it("forces a lock open with the token only, after which the old owner hears API_DeviceUnlocked", async () => {
      await lockAsOwner();
      expect((await rs.request("DELETE", LOCK)).status).to.equal(401);
      expect((await rs.request("DELETE", LOCK, { token: "wrong" })).status).to.equal(401);
      expect((await rs.request("GET", LOCK)).body).to.have.property("locked", true);
      const res = await rs.request("DELETE", LOCK, { token: TEST_TOKEN });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.include({ device: TG, locked: false });
      await expectDevFailed(rs.server.api.commandInout(OWNER, TG, "DevDouble", { type: CmdArgType.DevDouble, value: 1 }), Reason.DeviceUnlocked);
    });

    it("runs the four locking commands through POST /admin/commands, refusing LockDevice to a REST caller", async () => {
      const post = (command: string, argin: unknown): Promise<RestAnswer> => rs.request("POST", `${A}/commands/${command}`, { token: TEST_TOKEN, body: { argin } });
      const refused = rootError(await post("LockDevice", { lvalue: [10], svalue: [TG] }), 400, Reason.ClientTooOld);
      expect(refused.description).to.include("A REST request carries no client identity");
      rootError(await post("ReLockDevices", [TG]), 400, Reason.ClientTooOld);
      await lockAsOwner();
      let res = await post("DevLockStatus", TG);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({
        name: "DevLockStatus",
        output: { lvalue: [1, 4242, 0, 0, 0, 0], svalue: [`Device ${TG} is locked by TypeScript client with PID 4242 from host lab1`, "127.0.0.1:40000", "Not defined"] },
      });
      rootError(await post("UnLockDevice", { lvalue: [0], svalue: [TG] }), 400, Reason.ClientTooOld);
      res = await post("UnLockDevice", { lvalue: [1], svalue: [TG] });
      expect(res.body, res.text).to.deep.equal({ name: "UnLockDevice", output: 0 });
    });
  });

  it("refuses a forced unlock when no token is configured", async () => {
    rs = await startRestServer({ adminToken: null });
    expect((await rs.request("DELETE", LOCK)).status).to.equal(403);
    expect((await rs.request("GET", LOCK)).status).to.equal(200);
  });
});
