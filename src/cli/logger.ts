import { pino, type DestinationStream, type Logger } from "pino";
import type { ServerConfig } from "../server/index.js";

/**
 * The process's root logger (STYLE §6): JSON lines on stdout, or on `destination` (tests pass a
 * sink). It binds nothing of its own: the server derives `child({ server, instance })` and each
 * device a `child({ device })`. Errors go under `err`, serialized with their stack and cause.
 */
export function createRootLogger(level: ServerConfig["logLevel"], destination?: DestinationStream): Logger {
  return pino({ level, serializers: { err: pino.stdSerializers.err } }, destination);
}
