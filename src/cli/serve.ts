import type { DestinationStream } from "pino";
import { BUILTIN_CLASSES } from "../devices/index.js";
import type { DeviceClass } from "../server/index.js";
import { StartupFailed, startServe, type ServeProcess } from "../serve/start-serve.js";

export type { ServeProcess } from "../serve/start-serve.js";

/** Options of runServe. */
export interface ServeOptions {
  /** Config file (YAML or JSON); none runs the embedded TangoTest server. */
  readonly configFile?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Device classes by name; BUILTIN_CLASSES by default. The config may add more with `module:`. */
  readonly classes?: ReadonlyMap<string, DeviceClass>;
  /** Where the JSON log lines go; stdout by default. */
  readonly logDestination?: DestinationStream;
  /** The process by default. */
  readonly process?: ServeProcess;
  /** `serve --repair`: move a damaged property store aside (as `store.repair: true`). */
  readonly isRepair?: boolean;
  /** Where a refusal to start that an operator must act on is also written (a damaged store); none by default. */
  readonly stderr?: { write(text: string): unknown };
  /** `serve --server`, `--instance`: win over the config file and the environment. */
  readonly server?: string;
  readonly instance?: string;
}

/**
 * Runs a device server until SIGTERM, SIGINT or the admin command Kill, then shuts it down
 * (DESIGN §5). Resolves to the exit code: 0 after a clean shutdown, 1 when startup or shutdown
 * failed (logged at fatal or error level), 3 when calls still running at the end of the grace
 * period (`shutdownGraceMs`) were cut, 4 when the property store is unusable. A second signal
 * exits at once with 1.
 *
 * @throws ConfigError before anything starts, when the config or a class module is unusable.
 */
export async function runServe(opts: ServeOptions): Promise<number> {
  try {
    const handle = await startServe({
      config: opts.configFile === undefined ? undefined : { file: opts.configFile },
      env: opts.env,
      classes: opts.classes ?? BUILTIN_CLASSES,
      logDestination: opts.logDestination,
      process: opts.process ?? process,
      isRepair: opts.isRepair,
      stderr: opts.stderr,
      server: opts.server,
      instance: opts.instance,
    });
    return await handle.stopped;
  } catch (err) {
    if (err instanceof StartupFailed) return err.exitCode;
    throw err;
  }
}
