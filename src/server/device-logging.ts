import { constants, createWriteStream, openSync, realpathSync, type WriteStream } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { pino, type Logger, type DestinationStream, type LevelWithSilent } from "pino";
import { DevFailed, LogLevel, Reason } from "../core/index.js";
import { DEFAULT_LOGGING_LEVEL } from "../core/defaults.js";

/** Tango's level numbers (spec §13) as pino levels. */
const PINO_LEVEL: Record<LogLevel, LevelWithSilent> = {
  [LogLevel.LOG_OFF]: "silent", [LogLevel.LOG_FATAL]: "fatal", [LogLevel.LOG_ERROR]: "error",
  [LogLevel.LOG_WARN]: "warn", [LogLevel.LOG_INFO]: "info", [LogLevel.LOG_DEBUG]: "debug",
};

/**
 * Where a device's log lines go: always the process log (JSON on stdout, the container
 * convention), plus every `file::<path>` target. Pino accepts any object with `write`.
 */
class FanoutStream implements DestinationStream {
  readonly files = new Map<string, WriteStream>();
  constructor(readonly base: DestinationStream) {}
  write(line: string): void {
    this.base.write(line);
    for (const f of this.files.values()) f.write(line);
  }
}

interface DeviceLog {
  readonly logger: Logger;
  readonly stream: FanoutStream;
  /** Targets as Tango writes them: `console::cout`, `file::/path`. */
  readonly targets: string[];
  level: LogLevel;
  /** Level saved by StopLogging, restored by StartLogging. */
  saved?: LogLevel;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/**
 * Per-device loggers and the admin logging commands' model (spec §13): one level per device
 * (Tango default WARN), targets `console` and `file::<path>`, Stop/StartLogging.
 */
export class DeviceLogging {
  readonly #base: DestinationStream;
  readonly #bindings: Record<string, unknown>;
  readonly #logs = new Map<string, DeviceLog>();
  readonly #fileDir: string;

  /** `fileDir`: where `file` targets go, and the only directory `file::<path>` may name (docs/security.md). */
  constructor(root: Logger, fileDir: string) {
    this.#fileDir = resolve(fileDir);
    const stream = (root as unknown as Record<symbol, DestinationStream | undefined>)[pino.symbols.streamSym];
    this.#base = stream ?? pino.destination(1);
    this.#bindings = root.bindings();
  }

  /** The logger of `device` (created at WARN on first use; kept across device rebuilds). */
  loggerFor(device: string): Logger {
    return this.#entry(device).logger;
  }

  #entry(device: string): DeviceLog {
    const key = device.toLowerCase();
    let e = this.#logs.get(key);
    if (e === undefined) {
      const stream = new FanoutStream(this.#base);
      const level = DEFAULT_LOGGING_LEVEL as LogLevel;
      const logger = pino({ level: PINO_LEVEL[level], base: { ...this.#bindings, device }, serializers: { err: pino.stdSerializers.err } }, stream);
      e = { logger, stream, targets: [], level };
      this.#logs.set(key, e);
    }
    return e;
  }

  /** Device names (lower case) matching a Tango wildcard pattern among `known`. */
  match(pattern: string, known: readonly string[]): string[] {
    const re = globToRegExp(pattern);
    return known.filter((d) => re.test(d.toLowerCase()));
  }

  level(device: string): LogLevel {
    return this.#entry(device).level;
  }

  setLevel(device: string, level: number): void {
    if (!Number.isInteger(level) || level < 0 || level > 5) {
      throw DevFailed.of(Reason.InvalidArgs, `Invalid logging level ${level} (0=OFF … 5=DEBUG)`, "DServer::set_logging_level");
    }
    const e = this.#entry(device);
    e.level = level as LogLevel;
    e.logger.level = PINO_LEVEL[e.level];
  }

  targets(device: string): string[] {
    return [...this.#entry(device).targets];
  }

  /**
   * Adds `console` or `file::<path>` (spec §13 item 2); `file` alone uses
   * `<dir>/<domain_family_member>.log`. A file must lie inside the logging directory: a path
   * outside it, or reached through a symbolic link, is refused (API_InvalidArgs), so a caller of
   * AddLoggingTarget cannot make the server write anywhere else. A relative path is taken inside it.
   */
  addTarget(device: string, target: string): void {
    const e = this.#entry(device);
    const [type, ...rest] = target.split("::");
    const kind = (type ?? "").toLowerCase();
    if (kind === "console") {
      if (!e.targets.includes("console::cout")) e.targets.push("console::cout");
      return;
    }
    if (kind !== "file") {
      throw DevFailed.of(Reason.InvalidArgs, `Invalid logging target type ${type ?? ""} (console or file::<path>)`, "DServer::add_logging_target");
    }
    const path = resolve(this.#fileDir, rest.join("::") || `${device.replace(/\//g, "_")}.log`);
    const name = `file::${path}`;
    if (e.stream.files.has(name)) return;
    const file = createWriteStream("", { fd: this.#openInside(path, target) });
    file.on("error", (err) => e.logger.error({ err, target: name }, "logging target failed"));
    e.stream.files.set(name, file);
    e.targets.push(name);
  }

  /** Opens `path` for appending if it lies inside the logging directory, following no symbolic link on the way. */
  #openInside(path: string, target: string): number {
    const origin = "DServer::add_logging_target";
    const inside = (dir: string, p: string): boolean => {
      const rel = relative(dir, p);
      return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    };
    const refuse = (why: string): DevFailed => DevFailed.of(Reason.InvalidArgs,
      `Logging target ${target} refused: ${why}. File targets must be inside ${this.#fileDir} (config logging.fileTargetDir)`, origin);
    if (!inside(this.#fileDir, path)) throw refuse(`${path} is outside the logging directory`);
    let realDir: string;
    let realParent: string;
    try {
      realDir = realpathSync(this.#fileDir);
      realParent = realpathSync(dirname(path));
    } catch (err) {
      throw DevFailed.of(Reason.CannotOpenFile, `Cannot open the log file ${path}: ${(err as Error).message}`, origin);
    }
    if (realParent !== realDir && !inside(realDir, realParent)) throw refuse(`${dirname(path)} leads outside the logging directory`);
    try {
      // O_NOFOLLOW: a symbolic link planted at the file's name must not redirect the writes.
      return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o640);
    } catch (err) {
      throw DevFailed.of(Reason.CannotOpenFile, `Cannot open the log file ${path}: ${(err as Error).message}`, origin);
    }
  }

  /** Removes targets matching `pattern` (wildcards allowed, e.g. `file::*`). */
  removeTarget(device: string, pattern: string): void {
    const e = this.#entry(device);
    const re = globToRegExp(pattern.includes("::") ? pattern : `${pattern}::*`);
    for (const t of [...e.targets]) {
      if (!re.test(t.toLowerCase())) continue;
      e.targets.splice(e.targets.indexOf(t), 1);
      const f = e.stream.files.get(t);
      if (f !== undefined) {
        f.end();
        e.stream.files.delete(t);
      }
    }
  }

  /** StopLogging: save each level and set OFF. */
  stopAll(): void {
    for (const e of this.#logs.values()) {
      e.saved = e.level;
      e.level = LogLevel.LOG_OFF;
      e.logger.level = "silent";
    }
  }

  /** StartLogging: restore the saved levels. */
  startAll(): void {
    for (const e of this.#logs.values()) {
      if (e.saved === undefined) continue;
      e.level = e.saved;
      e.logger.level = PINO_LEVEL[e.level];
      e.saved = undefined;
    }
  }

  /** Closes every file target (at shutdown). */
  close(): void {
    for (const e of this.#logs.values()) for (const f of e.stream.files.values()) f.end();
  }
}
