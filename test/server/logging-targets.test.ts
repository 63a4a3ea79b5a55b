import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { CmdArgType, DevFailed, Reason } from "../../src/core/index.js";
import { waitFor } from "../support/wait-for.js";
import { TOKENS, startAccessServer, type AccessServer, type Outcome } from "../support/access-server.js";

const DEV = "sys/tg_test/1";
const ADMIN = "dserver/Access/t";

function rootReason(o: Outcome): string | undefined {
  if (o.ok || !(o.error instanceof DevFailed)) return undefined;
  return o.error.errors[0].reason;
}

describe("file logging targets", () => {
  let s: AccessServer;
  let root: string;
  let dir: string;
  const addTarget = (target: string): Promise<Outcome> => s.call("CommandInout", {
    device: ADMIN, command: "AddLoggingTarget", argin: { type: CmdArgType.DevVarStringArray, string_array: { values: [DEV, target] } },
  }, TOKENS.admin);

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "tango-grpc-logtargets-"));
    dir = join(root, "logs");
    mkdirSync(dir);
    mkdirSync(join(root, "elsewhere"));
    s = await startAccessServer({ config: { logging: { fileTargetDir: dir } } });
  });
  afterEach(async () => {
    await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a file outside logging.fileTargetDir with API_InvalidArgs and creates nothing", async () => {
    for (const path of [join(root, "elsewhere", "x"), "/tmp/elsewhere/x", `${dir}/../elsewhere/y`, "../elsewhere/z"]) {
      const o = await addTarget(`file::${path}`);
      expect(!o.ok && o.code, path).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(rootReason(o), path).to.equal(Reason.InvalidArgs);
      expect(!o.ok && o.details, path).to.contain(`File targets must be inside ${dir}`);
    }
    expect(existsSync(join(root, "elsewhere", "x"))).to.equal(false);
    expect(existsSync(join(root, "elsewhere", "y"))).to.equal(false);
    expect(existsSync(join(root, "elsewhere", "z"))).to.equal(false);
    const targets = await s.call<{ argout: { string_array: { values: string[] } } }>("CommandInout", {
      device: ADMIN, command: "GetLoggingTarget", argin: { type: CmdArgType.DevString, string_value: DEV },
    }, TOKENS.admin);
    expect(targets.ok && targets.reply.argout.string_array.values).to.deep.equal([]);
  });

  it("refuses a path that leaves the directory through a symbolic link", async () => {
    symlinkSync(join(root, "elsewhere"), join(dir, "link"));
    symlinkSync(join(root, "elsewhere", "target.log"), join(dir, "planted.log"));
    expect(rootReason(await addTarget(`file::${join(dir, "link", "x.log")}`))).to.equal(Reason.InvalidArgs);
    expect(rootReason(await addTarget(`file::${join(dir, "planted.log")}`))).to.equal(Reason.CannotOpenFile);
    expect(existsSync(join(root, "elsewhere", "x.log"))).to.equal(false);
    expect(existsSync(join(root, "elsewhere", "target.log"))).to.equal(false);
  });

  it("accepts a file inside the directory, a relative name inside it, and the default file, and writes the device's log there", async () => {
    expect((await addTarget(`file::${join(dir, "dev.log")}`)).ok).to.equal(true);
    expect((await addTarget("file::relative.log")).ok).to.equal(true);
    expect((await addTarget("file")).ok).to.equal(true);
    s.server.logging.loggerFor(DEV).error("a line for the file targets");
    const lines = (): string => ["dev.log", "relative.log", "sys_tg_test_1.log"].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "")).join("");
    await waitFor(() => lines().split("a line for the file targets").length - 1 === 3, "one line in each of the three files");
  });
});
