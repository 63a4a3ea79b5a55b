import type { ClientIdentity } from "../request-api.js";

/**
 * Who holds a lock (spec §10.8 items 6 and 8): the caller's client identity. Two callers are the
 * same owner when host, PID, language, Java main class and proxy id all match. cppTango compares
 * the PID and the CORBA peer address instead; the proxy id (metadata `tango-client-proxy`) is what
 * tells apart two proxies of one process, and two processes with the same PID in two containers.
 */
export interface LockOwner {
  /** What two callers are compared on. */
  readonly key: string;
  /** The client's host, as it named itself (else its address). */
  readonly host: string;
  /** The client's process id. */
  readonly pid: number;
  /** The client's language as it sent it (`TypeScript`, `CPP`, `Python`, `Java`, …), when it did. */
  readonly language?: string;
  /** The Java main class, for Java clients. */
  readonly mainClass?: string;
  /** The calling proxy's id, when the client sent one. */
  readonly proxyId?: string;
  /** The client's address as the transport saw it when it locked (DevLockStatus's sv[1]). */
  readonly peer: string;
}

/** The lock owner a caller would be, or undefined when it sent no identity (no PID: grpcurl without metadata). */
export function lockOwnerOf(client: ClientIdentity): LockOwner | undefined {
  const key = ownerKeyOf(client);
  if (key === undefined || client.pid === undefined) return undefined;
  return {
    key,
    host: client.host, pid: client.pid, language: client.language, mainClass: client.mainClass, proxyId: client.proxyId,
    peer: client.peer,
  };
}

/** The comparison key of a caller's identity; undefined without a PID (such a caller never owns a lock). */
export function ownerKeyOf(client: ClientIdentity): string | undefined {
  if (client.pid === undefined) return undefined;
  // \u0000 cannot occur in identity strings (client-identity.ts drops control characters).
  return `${client.host}\u0000${client.pid}\u0000${client.language ?? ""}\u0000${client.mainClass ?? ""}\u0000${client.proxyId ?? ""}`;
}

/**
 * The owner as DevLockStatus's sentence names it, after "is locked by ". cppTango says
 * `CPP or Python client with PID <pid> from host <host>` (its CPP language covers PyTango) and
 * `JAVA client class <main class> from host <host>`. Other clients are named by the language they
 * send (`TypeScript client with PID 4242 from host lab1`): the shape stays cppTango's, so a script
 * reading "client with PID (\d+) from host (\S+)" still works, and an administrator sees which kind
 * of client holds the device.
 */
export function describeOwner(owner: LockOwner): string {
  const lang = owner.language;
  if (lang === undefined || lang === "CPP" || lang === "Python") return `CPP or Python client with PID ${owner.pid} from host ${owner.host}`;
  if (lang.toLowerCase() === "java") return `JAVA client class ${owner.mainClass ?? "Not defined"} from host ${owner.host}`;
  return `${lang} client with PID ${owner.pid} from host ${owner.host}`;
}
