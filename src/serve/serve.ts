import type { Device } from "../device/device.js";
import { BUILTIN_CLASSES } from "../devices/index.js";
import { ConfigError, type ConfigProblem } from "../cli/config-error.js";
import type { DeviceClass as ServerDeviceClass, ServerConfig } from "../server/index.js";
import { deviceClassOrProblem } from "./class-modules.js";
import { StartupFailed, startServe } from "./start-serve.js";

/**
 * A device class: a class extending {@link Device}. Its Tango class name is its JavaScript name
 * (`Motor` for `class Motor extends Device`).
 */
export type DeviceClass<D extends Device = Device> = abstract new (...args: never[]) => D;

/** `T` with every key optional, all the way down: a config as written, before its defaults apply. */
export type ConfigInput<T> = T extends readonly (infer E)[] ? readonly ConfigInput<E>[]
  : T extends object ? { readonly [K in keyof T]?: ConfigInput<T[K]> }
  : T;

/**
 * A server config as an object: what a config file holds (docs/configuration.md), with the same
 * keys, defaults and checks. `classes[].devices[].name` and the like are still required at run
 * time; missing ones are reported as a file's would be.
 */
export type ServerConfigInput = ConfigInput<ServerConfig>;

/** Options of {@link serve}. */
export interface ServeOptions {
  /**
   * Your device classes, named in the config by their JavaScript class names. The classes built
   * into tango-grpc (TangoTest, PowerSupply) are always there too; a class of yours with one of
   * their names is refused. The config may add classes from modules (`classes[].module`).
   */
  readonly classes?: readonly DeviceClass[];
  /**
   * The server config: the path of a YAML or JSON file, or the config as an object. Without it
   * the embedded TangoTest server runs (`sys/tg_test/1`). A relative `module:` in an object is
   * resolved from the working directory.
   */
  readonly config?: string | ServerConfigInput;
  /** Where the `TANGO_*` overrides (docs/configuration.md) are read; `process.env` by default, `{}` for none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Stop cleanly on SIGTERM and SIGINT, exit at once with 1 on a second one, and set
   * `process.exitCode` once stopped, as `tango-grpc serve` does. True by default; false leaves
   * the process alone (stop with {@link RunningServer.stop}).
   */
  readonly handleSignals?: boolean;
  /** Where the JSON log lines go (anything with `write(line)`); stdout by default. */
  readonly logDestination?: { write(line: string): unknown };
}

/** A device server started by {@link serve}. `await using` stops it at the end of the scope. */
export interface RunningServer extends AsyncDisposable {
  /** The gRPC port (the one the OS picked when the config said 0). */
  readonly grpcPort: number;
  /** The HTTP sidecar's port: /healthz, /readyz, /metrics, REST. */
  readonly httpPort: number;
  /** The admin device, `dserver/<server>/<instance>`. */
  readonly adminDevice: string;
  /** The names of the devices served, admin device excluded: the config's in config order, then those a Tango database added. */
  readonly devices: readonly string[];
  /**
   * Resolves with the exit code once the server has stopped (stop(), the admin command Kill, or
   * a signal): 0 clean, 1 a shutdown step failed, 3 calls still running at the end of the grace
   * period were cut.
   */
  readonly stopped: Promise<number>;
  /** Shuts the server down (as SIGTERM does) and resolves with the exit code. */
  stop(): Promise<number>;
}

/**
 * Starts a device server in this process, as `tango-grpc serve` does: reads the config, imports
 * the classes it takes from modules, starts the gRPC server and the HTTP sidecar, exports the
 * devices, and resolves once it is ready to accept requests.
 *
 * ```ts
 * const server = await serve({ classes: [Motor], config: "./motor.yaml" });
 * ```
 *
 * @throws ConfigError (nothing started) when the config is unusable: every problem, each with its
 *   place in the file and key path. Any other error when starting failed (logged; what had
 *   started is stopped).
 */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const config = options.config;
  const classes = classMapOf(options.classes ?? []);
  const handleSignals = options.handleSignals ?? true;
  try {
    const handle = await startServe({
      config: config === undefined ? undefined : typeof config === "string" ? { file: config } : { data: config, label: "serve() config" },
      env: options.env ?? process.env,
      classes,
      logDestination: options.logDestination,
      process: handleSignals ? process : undefined,
    });
    const stopped = handle.stopped.then((code) => {
      if (handleSignals) process.exitCode = code;
      return code;
    });
    const stop = async (): Promise<number> => {
      await handle.stop();
      return stopped;
    };
    return {
      grpcPort: handle.grpcPort,
      httpPort: handle.httpPort,
      adminDevice: handle.adminDevice,
      devices: handle.devices,
      stopped,
      stop,
      [Symbol.asyncDispose]: async () => { await stop(); },
    };
  } catch (err) {
    if (err instanceof StartupFailed) throw err.cause;
    throw err;
  }
}

/** Built-in classes plus `classes`, by JavaScript name. @throws ConfigError for a non-class, a clash or a duplicate. */
function classMapOf(classes: readonly DeviceClass[]): Map<string, ServerDeviceClass> {
  const map = new Map<string, ServerDeviceClass>(BUILTIN_CLASSES);
  const problems: ConfigProblem[] = [];
  for (const [index, value] of classes.entries()) {
    const where = "serve() options";
    const checked = deviceClassOrProblem(value, `classes[${index}]`);
    if (typeof checked === "string") {
      problems.push({ where, path: ["classes", index], message: checked });
      continue;
    }
    const name = checked.name;
    const known = [...map.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    if (name === "") problems.push({ where, path: ["classes", index], message: "the class has no name; give it one (class Motor extends Device)" });
    else if (known !== undefined) {
      const builtin = BUILTIN_CLASSES.has(known);
      problems.push({ where, path: ["classes", index], message: `${name} ${builtin ? "is a class built into tango-grpc" : `is given twice (as ${known})`}; rename your class` });
    } else map.set(name, checked);
  }
  if (problems.length > 0) throw new ConfigError("serve() options", problems);
  return map;
}
