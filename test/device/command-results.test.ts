import { expect } from "chai";
import { Device, DevDouble, DevString, Reason, command } from "../../src/index.js";
import { DeviceTestContext } from "../../src/testing/index.js";
import { expectDevFailed } from "../support/test-server.js";

/** A thenable that is not a native Promise, as another promise library's. */
function thenable<T>(settle: (resolve: (v: T) => void, reject: (e: unknown) => void) => void): PromiseLike<T> {
  return { then: (onOk, onErr) => new Promise<T>(settle).then(onOk, onErr) };
}

/** Commands answering in each of the ways device code may: a value, a promise, another thenable. */
class Answers extends Device {
  @command({ dtypeIn: DevDouble, dtypeOut: DevDouble })
  Sync(x: number): number { return x * 2; }

  @command({ dtypeIn: DevDouble, dtypeOut: DevDouble })
  async Native(x: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return x * 3;
  }

  @command({ dtypeIn: DevDouble, dtypeOut: DevDouble })
  // The typed API asks for a Promise; plain JavaScript device code may return any thenable.
  Thenable(x: number): Promise<number> { return thenable<number>((resolve) => setTimeout(() => resolve(x * 4), 5)) as Promise<number>; }

  @command({ dtypeOut: DevString })
  ThenableFails(): Promise<string> { return thenable<string>((_, reject) => reject(new Error("the thenable failed"))) as Promise<string>; }
}

describe("command results", () => {
  let ctx: DeviceTestContext<Answers>;
  before(async () => { ctx = await new DeviceTestContext(Answers).start(); });
  after(async () => { await ctx?.close(); });

  it("are the value a command returns, or what its promise or any other thenable settles to", async () => {
    expect(await ctx.proxy.commandInout("Sync", 1.5)).to.equal(3);
    expect(await ctx.proxy.commandInout("Native", 1.5)).to.equal(4.5);
    expect(await ctx.proxy.commandInout("Thenable", 1.5)).to.equal(6);
  });

  it("are the error a rejected thenable gives", async () => {
    const df = await expectDevFailed(ctx.proxy.commandInout("ThenableFails"), Reason.StdException);
    expect(df.errors[0]?.desc).to.include("the thenable failed");
  });
});
