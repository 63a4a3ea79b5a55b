import type { DeviceProxy, DeviceProxyOptions, ReadOptions } from "../client/index.js";
import { Defaults, DevSource, Reason, type DevFailed, type MultiDevFailed } from "../core/index.js";
import { ValueTextError } from "./argin.js";
import { composeClientHelp, type ClientHelp } from "./client-help.js";
import { CLIENT_TLS_OPTIONS, TlsOptionError, clientTlsOption } from "./client-tls.js";
import { formatTangoFailure, tangoFailureJson } from "./error-output.js";
import { toJsonLine, toJsonText } from "./json-output.js";
import { ExitCode, type CliIo, type Verb, type VerbArgs } from "./verb.js";

type ClientModule = typeof import("../client/index.js");

/**
 * A mistake in the command line found while running a verb (a missing argument, a bad TRL, a
 * value that does not fit): reported with the verb's usage, exit code 2.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * What a client verb's `run` gets. Proxies it opens are closed when it ends. The functions are
 * plain closures (no `this`), so a verb may destructure them.
 */
export interface ClientVerbContext {
  /** The client library, loaded on demand so `--help` stays fast. */
  readonly client: ClientModule;
  readonly positionals: readonly string[];
  readonly values: VerbArgs["values"];
  /** `--json` was given: write one JSON document with `print` (one per `print`, with isJsonLines). */
  readonly isJson: boolean;
  /** Options every proxy is opened with (`--timeout`). */
  readonly proxyOptions: DeviceProxyOptions;
  /** Options of reads and commands (`--source`, when given). */
  readonly readOptions: ReadOptions;
  readonly io: CliIo;
  /** A proxy on the device a TRL names; a bad TRL, or one naming an attribute, is a UsageError. */
  readonly openDevice: (trl: string) => DeviceProxy;
  /** As openDevice, but the TRL may name an attribute (`…/sys/tg_test/1/double_scalar`), returned too. */
  readonly openDeviceOrAttribute: (trl: string) => { proxy: DeviceProxy; attribute: string | undefined };
  /** Closes `proxy` with the others when the verb ends. */
  readonly adopt: (proxy: DeviceProxy) => DeviceProxy;
  /**
   * Writes the result: `json()` as a JSON document with --json (on one line, when the verb's
   * isJsonLines says so), `human()` otherwise.
   */
  readonly print: (human: () => string, json: () => unknown) => void;
}

/** A client verb: its help, its arguments and what it does. */
export interface ClientVerbSpec extends ClientHelp {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments allowed. */
  readonly positionals: { readonly min: number; readonly max: number };
  /** The verb's own options (parseArgs'), beside --json, --timeout and --source; see optionsHelp. */
  readonly options?: Readonly<Record<string, { readonly type: "string" | "boolean" }>>;
  /** Resolves to the exit code (ExitCode.Ok when nothing is returned). */
  run(ctx: ClientVerbContext): Promise<number | void>;
}

/** The reasons parseTrl, parseAddress and TANGO_HOST give: a mistyped name, reported as a usage error. */
const NAME_SYNTAX_REASONS: ReadonlySet<string> = new Set([
  Reason.WrongDeviceNameSyntax, Reason.UnsupportedProtocol, Reason.UnsupportedDBaseModifier, Reason.TangoHostNotSet,
]);

/**
 * The client's error classes are the ones to test against: it is loaded with a dynamic import,
 * and under a CommonJS test runner (mocha with tsx) that is a second copy of core, whose DevFailed
 * is not the one this file would import.
 */
function isTangoFailure(client: ClientModule, err: unknown): err is DevFailed | MultiDevFailed {
  return err instanceof client.DevFailed || err instanceof client.MultiDevFailed;
}

/**
 * `fn()`, with the DevFailed a bad TRL or address gives turned into a UsageError: it is the
 * user's typing mistake, not a device failure.
 */
export function parsingName<T>(client: ClientModule, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof client.DevFailed) || !NAME_SYNTAX_REASONS.has(err.reason)) throw err;
    throw new UsageError(`${err.reason}: ${err.desc}`, { cause: err });
  }
}

/** `--timeout`: a positive whole number of milliseconds, or `none` (wait for ever). */
export function parseTimeoutOption(text: string | undefined): number {
  if (text === undefined) return Defaults.CLIENT_TIMEOUT_MS;
  if (text.trim().toLowerCase() === "none") return Infinity;
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(ms > 0 && Number.isSafeInteger(ms))) {
    throw new UsageError(`--timeout ${JSON.stringify(text)}: a timeout is a positive whole number of milliseconds, or "none"`);
  }
  return ms;
}

/** `--source`: dev, cache or cache_dev in any case; undefined leaves the proxy's (CACHE_DEV). */
export function parseSourceOption(text: string | undefined): DevSource | undefined {
  if (text === undefined) return undefined;
  const source = (DevSource as unknown as Record<string, DevSource | undefined>)[text.trim().toUpperCase()];
  if (typeof source !== "number") throw new UsageError(`--source ${JSON.stringify(text)}: the source is dev, cache or cache_dev`);
  return source;
}

/** An option's text, or undefined when it was not given. */
export function stringOption(values: VerbArgs["values"], name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** Builds a `tango-grpc <verb>` that talks to a device: common options, errors and exit codes. */
export function defineClientVerb(spec: ClientVerbSpec): Verb {
  const hasSource = spec.sourceHelp !== undefined;
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    help: composeClientHelp(spec),
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      timeout: { type: "string" },
      ...CLIENT_TLS_OPTIONS,
      token: { type: "string" },
      ...(hasSource ? { source: { type: "string" as const } } : {}),
      ...spec.options,
    },
    run: (args, io) => runClientVerb(spec, args, io),
  };
}

async function runClientVerb(spec: ClientVerbSpec, { values, positionals }: VerbArgs, io: CliIo): Promise<number> {
  const usageError = (problem: string): number => {
    io.stderr.write(`tango-grpc: ${spec.name}: ${problem}\nUsage: ${spec.usage}\nRun "tango-grpc ${spec.name} --help" for help.\n`);
    return ExitCode.Usage;
  };
  const { min, max } = spec.positionals;
  if (positionals.length < min) return usageError(`missing argument (${min} needed, got ${positionals.length})`);
  if (positionals.length > max) return usageError(`unexpected argument ${JSON.stringify(positionals[max])}`);
  let proxyOptions: DeviceProxyOptions;
  let readOptions: ReadOptions;
  try {
    // --token, else the CLI's TANGO_TOKEN (the client library would read the process's own).
    const token = stringOption(values, "token") ?? io.env.TANGO_TOKEN ?? "";
    const tls = clientTlsOption(values, io.env);
    // The CLI's TANGO_HOST, else none ("" : the client library would read the process's own).
    const tangoHost = io.env.TANGO_HOST ?? "";
    proxyOptions = { timeoutMs: parseTimeoutOption(stringOption(values, "timeout")), token, tangoHost, ...(tls === undefined ? {} : { tls }) };
    const source = parseSourceOption(stringOption(values, "source"));
    readOptions = source === undefined ? {} : { source };
  } catch (err) {
    if (err instanceof UsageError || err instanceof TlsOptionError) return usageError(err.message);
    throw err;
  }

  const client = await import("../client/index.js");
  const isJson = values.json === true;
  const toJson = spec.isJsonLines === true ? toJsonLine : toJsonText;
  const proxies: DeviceProxy[] = [];
  const adopt = (proxy: DeviceProxy): DeviceProxy => {
    proxies.push(proxy);
    return proxy;
  };
  const openDeviceOrAttribute = (text: string): { proxy: DeviceProxy; attribute: string | undefined } => {
    const trl = parsingName(client, () => client.parseTrl(text));
    const proxy = adopt(parsingName(client, () => new client.DeviceProxy(trl, proxyOptions)));
    if (trl.property !== undefined) throw new UsageError(`${JSON.stringify(text)} names a property; give a device TRL`);
    return { proxy, attribute: trl.attribute };
  };
  const ctx: ClientVerbContext = {
    client, positionals, values, isJson, proxyOptions, readOptions, io, adopt, openDeviceOrAttribute,
    openDevice: (text) => {
      const { proxy, attribute } = openDeviceOrAttribute(text);
      if (attribute !== undefined) throw new UsageError(`${JSON.stringify(text)} names attribute ${attribute}; give a device TRL`);
      return proxy;
    },
    print: (human, json) => {
      io.stdout.write(isJson ? toJson(json()) : human());
    },
  };
  try {
    return (await spec.run(ctx)) ?? ExitCode.Ok;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ValueTextError) return usageError(err.message);
    if (!isTangoFailure(client, err)) throw err;
    io.stderr.write(formatTangoFailure(err));
    if (isJson) io.stdout.write(toJson(tangoFailureJson(err)));
    return ExitCode.Failure;
  } finally {
    for (const proxy of proxies) proxy.close();
  }
}
