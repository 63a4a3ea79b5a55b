import { expect } from "chai";
import { BUILTIN_CLASSES } from "../../src/devices/index.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/cli/load-config.js";
import { formatKeyPath } from "../../src/cli/config-error.js";
import { parse } from "yaml";
import { DEFAULT_SERVER_CONFIG } from "../../src/server/index.js";
import {
  STORE_COMPACT_MIN_BYTES, STORE_MAX_BYTES, STORE_MAX_PROPERTY_BYTES, DATABASE_CHECK_INTERVAL_MS, DATABASE_RETRY_MAX_MS,
} from "../../src/core/defaults.js";
import {
  DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_MAX_MESSAGE_BYTES, MONITOR_TIMEOUT_MS, BLACKBOX_DEPTH, POLL_RING_DEPTH,
  EVENT_HEARTBEAT_MS, EVENT_QUEUE_DEPTH,
} from "../../src/core/defaults.js";

const CONFIG_DOC = new URL("../../docs/configuration.md", import.meta.url);

/** The YAML code blocks of docs/configuration.md, in order. */
function docYamlBlocks(): string[] {
  return [...readFileSync(CONFIG_DOC, "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/** Runs `fn`, expecting a ConfigError, and returns it. */
function expectConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "tango-grpc-config-")); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  function writeConfig(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  const minimalYaml = "classes:\n  - name: TangoTest\n    devices:\n      - name: sys/tg_test/1\n";

  describe("defaults", () => {
    it("runs the embedded TangoTest server with every schema default when no file is given", () => {
      const config = loadConfig(undefined, {});
      expect(config).to.deep.equal({
        server: "TangoTest",
        instance: "test",
        serialization: "BY_DEVICE",
        grpc: { host: "0.0.0.0", port: DEFAULT_GRPC_PORT, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, transport: "http2" },
        http: { host: "0.0.0.0", port: DEFAULT_HTTP_PORT, protectReads: false, requestTimeoutMs: 3000 },
        monitorTimeoutMs: MONITOR_TIMEOUT_MS,
        blackboxDepth: BLACKBOX_DEPTH,
        hungHandlerFactor: 3,
        eventLoopStallMs: 1000,
        shutdownGraceMs: 10_000,
        polling: { ringDepth: POLL_RING_DEPTH },
        events: { heartbeatMs: EVENT_HEARTBEAT_MS, queueDepth: EVENT_QUEUE_DEPTH },
        logLevel: "info",
        store: { repair: false, maxPropertyBytes: STORE_MAX_PROPERTY_BYTES, maxBytes: STORE_MAX_BYTES, compactMinBytes: STORE_COMPACT_MIN_BYTES },
        databaseClient: { timeoutMs: 3000, retryMaxMs: DATABASE_RETRY_MAX_MS, checkIntervalMs: DATABASE_CHECK_INTERVAL_MS },
        access: { tokens: [], certificates: [] },
        logging: {},
        classes: [{
          name: "TangoTest",
          devices: [{
            name: "sys/tg_test/1",
            properties: { polled_attr: ["double_scalar", "1000", "long_scalar", "1000"] },
            attributeProperties: { double_scalar: { abs_change: "0.1" }, long_scalar: { abs_change: "1" } },
          }],
        }],
      });
    });

    it("fills the defaults of a file that gives only its classes", () => {
      const config = loadConfig(writeConfig("server.yaml", minimalYaml), {});
      expect(config.server).to.equal("TangoTest");
      expect(config.instance).to.equal("test");
      expect(config.grpc).to.deep.equal({ host: "0.0.0.0", port: DEFAULT_GRPC_PORT, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, transport: "http2" });
    });

    it("returns a deeply frozen config", () => {
      const config = loadConfig(undefined, {});
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.grpc)).to.equal(true);
      expect(Object.isFrozen(config.classes[0]?.devices[0])).to.equal(true);
      expect(() => { (config.grpc as { port: number }).port = 1; }).to.throw(TypeError);
    });

    it("leaves the embedded default untouched between loads", () => {
      loadConfig(undefined, { TANGO_GRPC_PORT: "1234" });
      expect(loadConfig(undefined, {}).grpc.port).to.equal(DEFAULT_GRPC_PORT);
    });
  });

  describe("files", () => {
    it("reads YAML and turns every property value into a list of strings", () => {
      const file = writeConfig("server.yaml", `
server: PowerSupply
instance: lab
serialization: BY_CLASS
grpc:
  port: 50052
classes:
  - name: TangoTest
    properties:
      Flag: true
    devices:
      - name: lab/ps/1
        properties:
          voltage: 12.5
          label: main supply
          polled_attr: [double_scalar, "3000"]
`);
      const config = loadConfig(file, {});
      expect(config.server).to.equal("PowerSupply");
      expect(config.serialization).to.equal("BY_CLASS");
      expect(config.grpc.port).to.equal(50052);
      expect(config.classes[0]?.properties).to.deep.equal({ Flag: ["true"] });
      expect(config.classes[0]?.devices[0]?.properties).to.deep.equal({
        voltage: ["12.5"], label: ["main supply"], polled_attr: ["double_scalar", "3000"],
      });
    });

    it("reads JSON the same way", () => {
      const file = writeConfig("server.json", JSON.stringify({
        server: "TangoTest",
        instance: "json",
        logLevel: "warn",
        classes: [{ name: "TangoTest", devices: [{ name: "sys/tg_test/2", properties: { n: 3 } }] }],
      }, null, "\t"));
      const config = loadConfig(file, {});
      expect(config.instance).to.equal("json");
      expect(config.logLevel).to.equal("warn");
      expect(config.classes[0]?.devices[0]).to.deep.equal({ name: "sys/tg_test/2", properties: { n: ["3"] } });
    });

    it("names the file when it cannot be read", () => {
      const file = join(dir, "missing.yaml");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(file).and.to.contain("ENOENT");
    });

    it("reports YAML syntax errors and duplicate keys with their line and column", () => {
      const file = writeConfig("server.yaml", "server: a\nserver: b\nclasses: [\n");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.problems).to.have.length(2);
      expect(err.message).to.contain(`${file}:2:1: YAML: Map keys must be unique`);
    });

    it("refuses a file whose top level is not a mapping", () => {
      const file = writeConfig("server.yaml", "- a\n- b\n");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:1:1: must be a mapping (key: value), got a list`);
    });
  });

  describe("environment overrides", () => {
    it("apply over the file, and empty variables count as unset", () => {
      const file = writeConfig("server.yaml", `grpc:\n  port: 50052\n${minimalYaml}`);
      const config = loadConfig(file, {
        TANGO_SERVER: "Other",
        TANGO_INSTANCE: "pod-0",
        TANGO_GRPC_HOST: "127.0.0.1",
        TANGO_GRPC_PORT: "0",
        TANGO_MAX_MESSAGE_BYTES: "8388608",
        TANGO_GRPC_TRANSPORT: "grpc-js",
        TANGO_LOG_LEVEL: "debug",
        TANGO_STORE_PATH: "/data/store.json",
      });
      expect(config.server).to.equal("Other");
      expect(config.instance).to.equal("pod-0");
      expect(config.grpc).to.deep.equal({ host: "127.0.0.1", port: 0, maxMessageBytes: 8388608, transport: "grpc-js" });
      expect(config.logLevel).to.equal("debug");
      expect(config.storePath).to.equal("/data/store.json");

      expect(loadConfig(file, { TANGO_GRPC_PORT: "", TANGO_LOG_LEVEL: " " }).grpc.port).to.equal(50052);
    });

    it("TANGO_STORE_REPAIR turns store.repair on and keeps the store's other defaults", () => {
      const config = loadConfig(undefined, { TANGO_STORE_REPAIR: "true" });
      expect(config.store).to.deep.equal({
        repair: true, maxPropertyBytes: STORE_MAX_PROPERTY_BYTES, maxBytes: STORE_MAX_BYTES, compactMinBytes: STORE_COMPACT_MIN_BYTES,
      });
    });

    it("name the variable when TANGO_GRPC_PORT is not a number", () => {
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_GRPC_PORT: "http" }));
      expect(err.message).to.contain('env TANGO_GRPC_PORT: grpc.port: must be a whole number, got "http"');
    });

    it("name the variable when TANGO_GRPC_PORT is out of range", () => {
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_GRPC_PORT: "70000" }));
      expect(err.message).to.contain("env TANGO_GRPC_PORT: grpc.port: must be <= 65535, got 70000");
    });

    it("read TANGO_HTTP_PROTECT_READS as true or false, in any case, and refuse other words", () => {
      expect(loadConfig(undefined, { TANGO_HTTP_PROTECT_READS: "TRUE" }).http.protectReads).to.equal(true);
      expect(loadConfig(undefined, { TANGO_HTTP_PROTECT_READS: "false" }).http.protectReads).to.equal(false);
      expect(loadConfig(undefined, { TANGO_HTTP_REQUEST_TIMEOUT_MS: "250" }).http.requestTimeoutMs).to.equal(250);
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_HTTP_PROTECT_READS: "yes" }));
      expect(err.message).to.contain('env TANGO_HTTP_PROTECT_READS: http.protectReads: must be true or false, got "yes"');
    });

    it("set the isolation and shutdown keys from TANGO_HUNG_HANDLER_FACTOR, TANGO_EVENT_LOOP_STALL_MS and TANGO_SHUTDOWN_GRACE_MS", () => {
      const config = loadConfig(undefined, { TANGO_HUNG_HANDLER_FACTOR: "5", TANGO_EVENT_LOOP_STALL_MS: "500", TANGO_SHUTDOWN_GRACE_MS: "20000" });
      expect([config.hungHandlerFactor, config.eventLoopStallMs, config.shutdownGraceMs]).to.deep.equal([5, 500, 20000]);
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_HUNG_HANDLER_FACTOR: "1" }));
      expect(err.message).to.contain("env TANGO_HUNG_HANDLER_FACTOR: hungHandlerFactor: must be >= 2, got 1");
    });

    it("name the variable when TANGO_LOG_LEVEL is not a level", () => {
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_LOG_LEVEL: "loud" }));
      expect(err.message).to.contain("env TANGO_LOG_LEVEL: logLevel: must be one of trace, debug, info, warn, error, fatal, silent");
    });
  });

  describe("errors", () => {
    it("refuses unknown keys, naming the file position and the key path", () => {
      const file = writeConfig("server.yaml", `${minimalYaml}grpc:\n  prot: 1\n`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.problems).to.have.length(1);
      expect(err.message).to.contain(`${file}:6:3: grpc.prot: unknown key; expected one of: host, port, maxMessageBytes, transport`);
    });

    it("names the key path of a nested problem, e.g. classes[0].devices[1].name", () => {
      const file = writeConfig("server.yaml", `${minimalYaml}      - name: not-a-device-name\n`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:5:15: classes[0].devices[1].name: must match`);
      expect(err.message).to.contain('(domain/family/member), got "not-a-device-name"');
    });

    it("reports several problems together, one per line, in file order", () => {
      const file = writeConfig("server.yaml", `
server: TangoTest
grpc:
  port: -1
logLevel: verbose
colour: blue
classes:
  - name: TangoTest
    devices: []
`);
      const err = expectConfigError(() => loadConfig(file, { TANGO_MAX_MESSAGE_BYTES: "10" }));
      const lines = err.message.split("\n");
      expect(lines[0]).to.equal(`invalid configuration in ${file} (5 problems):`);
      expect(lines.slice(1)).to.deep.equal([
        `  ${file}:4:9: grpc.port: must be >= 0, got -1`,
        `  ${file}:5:11: logLevel: must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"`,
        `  ${file}:6:1: colour: unknown key; expected one of: server, instance, serialization, grpc, http, tls, monitorTimeoutMs, blackboxDepth, hungHandlerFactor, eventLoopStallMs, shutdownGraceMs, polling, events, logLevel, access, logging, tangoHost, advertiseAddress, databaseClient, storePath, store, limits, classes`,
        `  ${file}:9:14: classes[0].devices: must list at least one entry`,
        "  env TANGO_MAX_MESSAGE_BYTES: grpc.maxMessageBytes: must be >= 4194304, got 10",
      ]);
    });

    it("reports a missing required key", () => {
      const file = writeConfig("server.yaml", "server: TangoTest\n");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:1:1: classes: is required`);
    });

    it("refuses property values that are not strings, numbers, booleans or lists of strings", () => {
      const file = writeConfig("server.yaml", `
classes:
  - name: TangoTest
    devices:
      - name: sys/tg_test/1
        properties:
          nested: {a: 1}
          empty:
          numbers: [1, "2"]
`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.problems.map((p) => `${p.where}: ${p.message}`)).to.deep.equal([
        `${file}:7:19: must be a property value: a string, number or boolean, or a list of them as strings, got a mapping`,
        `${file}:8:11: must be a property value: a string, number or boolean, or a list of them as strings, got nothing (an empty value)`,
        `${file}:9:21: must be a string (quote it: "1"), got 1`,
      ]);
      expect(err.message).to.contain("classes[0].devices[0].properties.numbers[0]: must be a string");
    });

    it("refuses property names that are not identifiers, and the same name twice in any case", () => {
      const file = writeConfig("server.yaml", `
classes:
  - name: TangoTest
    properties:
      bad-name: 1
      Speed: 1
      speed: 2
    devices:
      - name: sys/tg_test/1
`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:5:7: classes[0].properties["bad-name"]: is not a property name`);
      expect(err.message).to.contain(`${file}:7:7: classes[0].properties.speed: property "speed" is already configured at classes[0].properties.Speed`);
    });

    it("refuses the same device name twice, in any case and across classes", () => {
      const file = writeConfig("server.yaml", `
classes:
  - name: TangoTest
    devices:
      - name: sys/tg_test/1
  - name: Other
    devices:
      - name: SYS/TG_TEST/1
`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.problems).to.have.length(1);
      expect(err.message).to.contain(
        `${file}:8:15: classes[1].devices[0].name: device "SYS/TG_TEST/1" is already configured at classes[0].devices[0].name as "sys/tg_test/1" (names ignore case)`,
      );
    });

    it("refuses the same class name twice", () => {
      const file = writeConfig("server.yaml", `
classes:
  - name: TangoTest
    devices: [{name: a/b/1}]
  - name: tangotest
    devices: [{name: a/b/2}]
`);
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:5:11: classes[1].name: class "tangotest" is already configured at classes[0].name`);
    });

    it("refuses devices in the dserver domain, which is the admin device's", () => {
      const file = writeConfig("server.yaml", "classes:\n  - name: TangoTest\n    devices:\n      - name: DServer/TangoTest/other\n");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:4:15: classes[0].devices[0].name: the domain "dserver" is reserved`);
    });

    it("names the environment override, not the file, for the embedded config", () => {
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_SERVER: "a/b" }));
      expect(err.source).to.equal("(embedded default config)");
      expect(err.message).to.contain('env TANGO_SERVER: server: must match ^[^/\\s]+$ (server (executable) name), got "a/b"');
    });
  });

  describe("the Tango database", () => {
    it("reads tangoHost and advertiseAddress from the file, and TANGO_HOST and TANGO_ADVERTISE_ADDRESS over it", () => {
      const file = writeConfig("server.yaml", `tangoHost: db:10000\nadvertiseAddress: svc.lab.svc.cluster.local\n${minimalYaml}`);
      expect(loadConfig(file, {})).to.include({ tangoHost: "db:10000", advertiseAddress: "svc.lab.svc.cluster.local" });
      const env = { TANGO_HOST: "db1:10000, [::1]:10001", TANGO_ADVERTISE_ADDRESS: "motor.lab:50051" };
      expect(loadConfig(file, env)).to.include({ tangoHost: "db1:10000, [::1]:10001", advertiseAddress: "motor.lab:50051" });
      expect(loadConfig(undefined, {}).tangoHost).to.equal(undefined);
    });

    it("refuses a TANGO_HOST without a port, or with a port out of range, naming the variable", () => {
      const err = expectConfigError(() => loadConfig(undefined, { TANGO_HOST: "db", TANGO_ADVERTISE_ADDRESS: "svc:70000" }));
      expect(err.problems.map((p) => `${p.where}: ${formatKeyPath(p.path)}: ${p.message}`)).to.deep.equal([
        "env TANGO_HOST: tangoHost: must match ^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}(\\s*,\\s*(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5})*$ " +
          "(the Tango database: host:port, or several host:port comma-separated tried in turn (TANGO_HOST); the server registers in it and keeps its properties there), got \"db\"",
        "env TANGO_ADVERTISE_ADDRESS: advertiseAddress: port 70000 is not between 1 and 65535",
      ]);
    });

    it("lets a config with tangoHost name no class, as the database names the devices, and refuses that without one", () => {
      const withDb = loadConfig(writeConfig("db.yaml", "server: Motors\ninstance: lab\ntangoHost: db:10000\nclasses: []\n"), {});
      expect(withDb.classes).to.deep.equal([]);
      expect(withDb.databaseClient).to.deep.equal({ timeoutMs: 3000, retryMaxMs: DATABASE_RETRY_MAX_MS, checkIntervalMs: DATABASE_CHECK_INTERVAL_MS });
      const file = writeConfig("nodb.yaml", "server: Motors\nclasses: []\n");
      const err = expectConfigError(() => loadConfig(file, {}));
      expect(err.message).to.contain(`${file}:2:10: classes: must list at least one class, unless tangoHost is set (the database then names the devices)`);
    });
  });

  describe("known classes", () => {
    it("refuses a class the program does not have", () => {
      const file = writeConfig("server.yaml", "classes:\n  - name: PowerSupply\n    devices: [{name: a/b/c}]\n");
      const err = expectConfigError(() => loadConfig(file, {}, { knownClasses: ["TangoTest"] }));
      expect(err.message).to.contain(`${file}:2:11: classes[0].name: unknown device class "PowerSupply"; this program has: TangoTest`);
    });

    it("accepts a class name in any case and keeps the declared case", () => {
      const file = writeConfig("server.yaml", "classes:\n  - name: tangotest\n    devices: [{name: a/b/c}]\n");
      const config = loadConfig(file, {}, { knownClasses: ["TangoTest"] });
      expect(config.classes[0]?.name).to.equal("TangoTest");
    });
  });

  describe("docs/configuration.md", () => {
    it("shows the embedded default as it is", () => {
      expect(parse(docYamlBlocks()[0] ?? "")).to.deep.equal(DEFAULT_SERVER_CONFIG);
    });

    it("has an example that tango-grpc serve loads with its built-in classes", () => {
      const file = writeConfig("server.yaml", docYamlBlocks()[1] ?? "");
      const config = loadConfig(file, {}, { knownClasses: [...BUILTIN_CLASSES.keys()] });
      expect(config.classes.map((c) => c.name)).to.deep.equal(["TangoTest", "PowerSupply"]);
      expect(config.classes[1]?.devices[0]?.properties).to.deep.equal({ max_current: ["9.5"], resistance: ["2.5"] });
      const err = expectConfigError(() => loadConfig(file, {}, { knownClasses: ["TangoTest"] }));
      expect(err.problems.map((p) => p.message)).to.deep.equal(['unknown device class "PowerSupply"; this program has: TangoTest']);
    });
  });
});
