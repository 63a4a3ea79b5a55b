import { expect } from "chai";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CmdArgType, DevDouble, DevState, Device, attribute } from "../../src/device/index.js";
import { Reason, type TypedValue } from "../../src/core/index.js";
import { CTX, expectDevFailed, startServer } from "../support/test-server.js";

class Probe extends Device {
  override initDevice(): void { this.setState(DevState.ON); }

  @attribute({ dtype: DevDouble })
  get a(): number { return 1.5; }
}

describe("the admin polling commands with a property store that cannot be written", () => {
  let ts: Awaited<ReturnType<typeof startServer>> | undefined;
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-store-polling-")); });
  afterEach(async () => {
    await ts?.close();
    ts = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers RemObjPolling with API_DatabaseFileError and keeps polled_attr as it was, also after a restart", async () => {
    const storePath = join(dir, "store.jsonl");
    const config = { storePath, classes: [{ name: "Probe", devices: [{ name: "t/p/1" }] }] };
    ts = await startServer({ classes: { Probe }, devices: {}, config });
    const admin = (cmd: string, argin: TypedValue): Promise<TypedValue> => ts!.server.api.commandInout(CTX, "dserver/Test/t", cmd, argin);
    const add = (period: number): Promise<TypedValue> =>
      admin("AddObjPolling", { type: CmdArgType.DevVarLongStringArray, value: { lvalue: [period], svalue: ["t/p/1", "attribute", "a"] } });
    await add(100);
    renameSync(storePath, `${storePath}.kept`);
    mkdirSync(storePath);
    await expectDevFailed(admin("RemObjPolling", { type: CmdArgType.DevVarStringArray, value: ["t/p/1", "attribute", "a"] }), Reason.DatabaseFileError);
    expect(ts.server.properties.get("t/p/1", "polled_attr")).to.deep.equal(["a", "100"]);
    await ts.close();
    rmSync(storePath, { recursive: true });
    renameSync(`${storePath}.kept`, storePath);
    ts = await startServer({ classes: { Probe }, devices: {}, config });
    expect(ts.server.properties.get("t/p/1", "polled_attr")).to.deep.equal(["a", "100"]);
    await expectDevFailed(add(200), Reason.AlreadyPolled);
  });
});
