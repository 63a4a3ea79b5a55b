import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, DevState, serve, type RunningServer } from "../../src/index.js";
import { DeviceProxy } from "../../src/client/index.js";
import { LogSink } from "../support/log-sink.js";

// A class of the user's own, in a module outside the source tree, named by a config's `module:`
// or given to serve() in code: what tango-grpc serve and serve() load, and how they refuse.

// The test files run as CommonJS (mocha requires them through tsx), so the user's modules are
// TypeScript in a folder without "type": "module" too: then they share the src modules' instances.
const API = JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname);
const ENV = { TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0" };

/** A TypeScript module (run by tsx, decorators and all) with a Motor class, as a user writes one. */
const MOTOR_TS = `
import { Device, DevState, DevDouble, attribute, command, deviceProperty } from ${API};
export class Motor extends Device {
  @deviceProperty({ dtype: DevDouble, defaultValue: 1 })
  accessor Velocity!: number;
  #position = 0;
  override initDevice(): void { this.setState(DevState.ON); }
  @attribute({ dtype: DevDouble, unit: "mm" })
  get position(): number { return this.#position; }
  @command({ dtypeIn: DevDouble, dtypeOut: DevDouble })
  Move(target: number): number { this.#position = target; return this.Velocity; }
}
`;

describe("device classes from modules (classes[].module) and serve()", function () {
  this.timeout(20_000);
  let dir: string;
  let server: RunningServer | undefined;
  let proxy: DeviceProxy | undefined;

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-modules-")); });
  afterEach(async () => {
    proxy?.close();
    proxy = undefined;
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function write(path: string, text: string): string {
    const file = join(dir, path);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  /** A config file naming `name` from `module`, one device lab/motor/1. */
  function configFile(name: string, module: string): string {
    return write("motor.yaml", [
      "server: Motor", "instance: lab", "classes:",
      `  - name: ${name}`, `    module: ${module}`,
      "    devices:", "      - name: lab/motor/1", "        properties: { Velocity: 2.5 }", "",
    ].join("\n"));
  }

  async function start(config: Parameters<typeof serve>[0]): Promise<DeviceProxy> {
    server = await serve({ env: ENV, handleSignals: false, logDestination: new LogSink(), ...config });
    proxy = new DeviceProxy(`127.0.0.1:${server.grpcPort}/lab/motor/1`);
    return proxy;
  }

  async function expectConfigError(config: Parameters<typeof serve>[0]): Promise<ConfigError> {
    const err = await serve({ env: ENV, handleSignals: false, logDestination: new LogSink(), ...config }).then(
      (s) => { server = s; return undefined; }, (e: unknown) => e);
    expect(err, "serve() started").to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }

  it("serves a class named by a path relative to the config file; a client reads and commands it", async () => {
    write("lib/motor.ts", MOTOR_TS);
    const dev = await start({ config: configFile("Motor", "./lib/motor.ts") });
    expect(await dev.state()).to.equal(DevState.ON);
    expect(await dev.commandInout("Move", 12.5)).to.equal(2.5); // the property was applied
    expect((await dev.readAttribute("position")).value).to.equal(12.5);
    expect((await dev.info()).devClass).to.equal("Motor");
    expect(server?.devices).to.deep.equal(["lab/motor/1"]);
    expect(server?.adminDevice).to.equal("dserver/Motor/lab");
  });

  it("takes the module's default export when it has no export of the configured name", async () => {
    write("axis.ts", `${MOTOR_TS}\nexport default Motor;\n`.replace("export class Motor", "class Motor"));
    const dev = await start({ config: configFile("Axis", "./axis.ts") });
    expect((await dev.info()).devClass).to.equal("Axis");
    expect(await dev.commandInout("Move", 1)).to.equal(2.5);
  });

  it("finds a package by name, installed beside the config file", async () => {
    write("node_modules/lab-motor/package.json", JSON.stringify({ name: "lab-motor", exports: "./motor.ts" }));
    write("node_modules/lab-motor/motor.ts", MOTOR_TS);
    const dev = await start({ config: configFile("Motor", "lab-motor") });
    expect(await dev.commandInout("Move", 3)).to.equal(2.5);
  });

  it("serve() from code: classes given in code, a config object", async () => {
    write("motor.ts", MOTOR_TS);
    const { Motor } = await import(pathToFileURL(join(dir, "motor.ts")).href) as { Motor: new () => never };
    const dev = await start({
      classes: [Motor as never],
      config: { server: "Motor", instance: "lab", classes: [{ name: "Motor", devices: [{ name: "lab/motor/1", properties: { Velocity: 4 } }] }] },
    });
    expect(await dev.commandInout("Move", 7)).to.equal(4);
    expect(await server?.stop()).to.equal(0);
    server = undefined;
  });

  it("builds devices itself: `new` on a device class throws a readable TypeError", async () => {
    write("motor.ts", MOTOR_TS);
    const { Motor } = await import(pathToFileURL(join(dir, "motor.ts")).href) as { Motor: new () => unknown };
    expect(() => new Motor()).to.throw(TypeError, "a Motor is built by a device server (serve(), tango-grpc serve or a test context), not with new");
  });

  it("refuses a missing module, naming the file, the position and the key", async () => {
    const file = configFile("Motor", "./dist/motor.js");
    const err = await expectConfigError({ config: file });
    expect(err.problems).to.have.length(1);
    expect(err.message).to.include(`${file}:5:13: classes[0].module: cannot load "./dist/motor.js": no such file ${join(dir, "dist/motor.js")}`);
  });

  it("refuses a package that is not installed", async () => {
    const err = await expectConfigError({ config: configFile("Motor", "no-such-motor-package") });
    expect(err.message).to.match(/motor\.yaml:5:13: classes\[0\]\.module: cannot load "no-such-motor-package": no package of that name is installed/);
  });

  it("refuses a module that exports neither the class nor a default, listing what it exports", async () => {
    write("motor.ts", MOTOR_TS);
    const err = await expectConfigError({ config: configFile("Stage", "./motor.ts") });
    expect(err.message).to.include(`motor.yaml:5:13: classes[0].module: "./motor.ts" exports no Stage and has no default export (it exports: Motor)`);
  });

  it("refuses an export that is not a Device class, and one that is not a class", async () => {
    write("things.mjs", "export class Motor {}\nexport const Stage = 42;\n");
    let err = await expectConfigError({ config: configFile("Motor", "./things.mjs") });
    expect(err.message).to.include(`classes[0].module: Motor exported by "./things.mjs" is not a Device class: it must extend Device from tango-grpc`);
    err = await expectConfigError({ config: configFile("Stage", "./things.mjs") });
    expect(err.message).to.include(`classes[0].module: Stage exported by "./things.mjs" is not a class (it is a number)`);
  });

  it("names the other copy when the class extends the Device of a second tango-grpc", async () => {
    write("copy.mjs", [
      "class Device {}",
      "Object.defineProperty(Device, Symbol.for('tango-grpc.Device'), { value: 'file:///elsewhere/node_modules/tango-grpc/dist/src/lib/device.js' });",
      "export class Motor extends Device {}", "",
    ].join("\n"));
    const err = await expectConfigError({ config: configFile("Motor", "./copy.mjs") });
    expect(err.message).to.include("extends Device from another copy of tango-grpc (/elsewhere/node_modules/tango-grpc/dist/src/lib/device.js)");
  });

  it("reports a module that throws while loading", async () => {
    write("broken.mjs", "throw new Error('no hardware');\n");
    const err = await expectConfigError({ config: configFile("Motor", "./broken.mjs") });
    expect(err.message).to.match(/classes\[0\]\.module: cannot load "\.\/broken\.mjs" \(.*broken\.mjs\): no hardware/);
  });

  it("refuses a class from a module named like a built-in class, at its name key", async () => {
    write("motor.ts", MOTOR_TS);
    const err = await expectConfigError({ config: configFile("tangotest", "./motor.ts") });
    expect(err.message).to.include(`motor.yaml:4:11: classes[0].name: "tangotest" is already a class of this program (TangoTest, PowerSupply); a class from a module needs a name of its own`);
  });

  it("serve() refuses a class of its own named like a built-in, and a non-class", async () => {
    write("tt.ts", MOTOR_TS.replace("class Motor", "class TangoTest"));
    const { TangoTest } = await import(pathToFileURL(join(dir, "tt.ts")).href) as { TangoTest: never };
    const err = await expectConfigError({ classes: [TangoTest, (() => 1) as never] });
    expect(err.message).to.include("serve() options: classes[0]: TangoTest is a class built into tango-grpc; rename your class");
    expect(err.message).to.include("serve() options: classes[1]: classes[1] is not a class");
  });

  it("reports every problem of a config object as a file's, under `serve() config`", async () => {
    const err = await expectConfigError({ config: { classes: [{ name: "Nope", devices: [{ name: "bad name" }] }] } });
    expect(err.message).to.match(/^invalid configuration in serve\(\) config \(2 problems\):/);
    expect(err.message).to.include("unknown device class \"Nope\"");
  });
});
