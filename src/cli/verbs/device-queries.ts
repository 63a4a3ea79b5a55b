import { TRL_ARGUMENT } from "../client-help.js";
import { defineClientVerb } from "../client-verb.js";
import { formatFields } from "../format.js";
import { stateName } from "../present-value.js";
import type { Verb } from "../verb.js";

const EXAMPLE_TRL = "tango://localhost:50051/sys/tg_test/1";

/** `tango-grpc ping <trl>`: is the device there, and how long a round trip takes. */
export const pingVerb: Verb = defineClientVerb({
  name: "ping",
  summary: "ping a device; print the round trip in microseconds",
  usage: "tango-grpc ping <trl> [options]",
  description: `
Pings the device (Tango's ping: a call the device server answers without
running device code) and prints the round-trip time, such as "312 µs".`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "usec"}',
  examples: [`tango-grpc ping ${EXAMPLE_TRL}`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const usec = await proxy.ping();
    print(() => `${usec} µs\n`, () => ({ device: proxy.name, usec }));
  },
});

/** `tango-grpc info <trl>`: the device's class, server, host, versions and admin device. */
export const infoVerb: Verb = defineClientVerb({
  name: "info",
  summary: "print a device's info: class, server, host, versions, admin device",
  usage: "tango-grpc info <trl> [options]",
  description: `
Prints the device's information (Tango's DevInfo): its class, server, host,
server version, documentation URL, type, description, admin device and the
version of each component, one "name: value" line each.`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "devClass", "serverId", "serverHost", "serverVersion", "docUrl", "devType", "versionInfo", "description", "admName"}',
  examples: [`tango-grpc info ${EXAMPLE_TRL}`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const info = await proxy.info();
    print(
      () => formatFields([
        ["device", proxy.name],
        ["devClass", info.devClass],
        ["serverId", info.serverId],
        ["serverHost", info.serverHost],
        ["serverVersion", String(info.serverVersion)],
        ["docUrl", info.docUrl],
        ["devType", info.devType],
        ["description", info.description],
        ["admName", info.admName],
        ...Object.entries(info.versionInfo).map(([name, version]) => [`versionInfo.${name}`, version] as const),
      ]),
      () => ({ device: proxy.name, ...info }),
    );
  },
});

/** `tango-grpc state <trl>`: the device state by name. */
export const stateVerb: Verb = defineClientVerb({
  name: "state",
  summary: "print a device's state (ON, RUNNING, FAULT, ...)",
  usage: "tango-grpc state <trl> [options]",
  description: `
Prints the device's state by its Tango name: ON, OFF, CLOSE, OPEN, INSERT,
EXTRACT, MOVING, STANDBY, FAULT, INIT, RUNNING, ALARM, DISABLE or UNKNOWN.`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "state"}, the state by name',
  examples: [`tango-grpc state ${EXAMPLE_TRL}`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const state = stateName(await proxy.state());
    print(() => `${String(state)}\n`, () => ({ device: proxy.name, state }));
  },
});

/** `tango-grpc status <trl>`: the device status text. */
export const statusVerb: Verb = defineClientVerb({
  name: "status",
  summary: "print a device's status text",
  usage: "tango-grpc status <trl> [options]",
  description: `
Prints the device's status text as the device gives it (it may span lines).`,
  arguments: [TRL_ARGUMENT],
  jsonHelp: '{"device", "status"}',
  examples: [`tango-grpc status ${EXAMPLE_TRL}`],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [trl = ""], openDevice, print }) {
    const proxy = openDevice(trl);
    const status = await proxy.status();
    print(() => (status.endsWith("\n") ? status : `${status}\n`), () => ({ device: proxy.name, status }));
  },
});
