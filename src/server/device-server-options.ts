import type { Logger } from "pino";
import type { ServerConfig } from "./config.js";
import type { DeviceClass } from "./device-entry.js";
import type { AccessOptions } from "./access/access-policy.js";
import type { Store } from "./store/store.js";
import type { ServerRegistry } from "./registry/server-registry.js";

/** Options of a DeviceServer; everything from outside is passed in (STYLE §1). */
export interface DeviceServerOptions {
  /** Validated config with defaults applied (src/cli/load-config.ts). */
  readonly config: Readonly<ServerConfig>;
  /** Device classes by the names the config uses. */
  readonly classes: ReadonlyMap<string, DeviceClass>;
  /** Root logger; the server derives one child per device. */
  readonly logger: Logger;
  /** Host name reported by Info (default: os.hostname()). */
  readonly hostName?: string;
  /** Called with true once every device is exported, false when a restart or shutdown begins. */
  readonly onReadyChange?: (ready: boolean) => void;
  /** Called after the admin Kill command replied: the process should shut down. */
  readonly onKill?: () => void;
  /** spec §13: directory of `file` logging targets (TANGO_LOG_PATH, else the OS temp directory); config `logging.fileTargetDir` wins. */
  readonly logDir?: string;
  /** Tokens, certificates, rights (docs/security.md); none: every caller is ADMIN. */
  readonly access?: AccessOptions;
  /** Where device and class properties live; default: the file store of `config.storePath` (no database). */
  readonly store?: Store;
  /** The Tango database the server registers in (spec §9.2, §9.3); none: no database. */
  readonly registration?: ServerRegistry;
}
