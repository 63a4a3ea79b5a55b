import type { PipeBlob } from "../core/index.js";
import type { Device } from "./device.js";
import { resolvePipe, type PipeDecl, type PipeOptions, type PipeReadResult, type PipeReqType } from "./pipe-decl.js";

/* `@pipe` records, as the other decorators do (STYLE §9); `classPipes` resolves the records once per class. */
const RECORDS = new WeakMap<object, { member: string; opts: PipeOptions }>();

/**
 * Declares a pipe (spec §8) on a getter or a method that returns its blob, possibly
 * asynchronously. A setter of the same name as the getter, or a method named in `write`, makes it
 * read-write; it receives the written blob, checked and canonical.
 *
 * ```ts
 * @pipe({ description: "The position" })
 * get position(): PipeReadResult { return pipeBlob("xy", { x: this.#x, y: this.#y }); }
 * set position(blob: PipeBlob) { ... }
 * ```
 */
export function pipe(opts: PipeOptions = {}) {
  return function <This extends Device>(
    target: ((this: This) => PipeReadResult) | ((this: This) => Promise<PipeReadResult>),
    ctx: ClassGetterDecoratorContext<This> | ClassMethodDecoratorContext<This>,
  ): void {
    if (ctx.static || typeof ctx.name !== "string") throw new TypeError("@pipe goes on an instance getter or method with a string name");
    resolvePipe(opts.name ?? ctx.name, opts, () => undefined);
    RECORDS.set(target, { member: ctx.name, opts });
  };
}

type Fn = (this: Device, ...args: unknown[]) => unknown;

/** The method `member` of a class (its own or inherited), or a TypeError naming the option. */
function methodOf(proto: object, member: string, where: string): Fn {
  const fn = (proto as Record<string, unknown>)[member];
  if (typeof fn !== "function") throw new TypeError(`${where}: the class has no method ${member}`);
  return fn as Fn;
}

/** The pipes a class declares, its ancestors' included (a subclass member of the same name wins). @internal */
export function classPipes(cls: abstract new (...args: never[]) => Device): PipeDecl[] {
  const out: PipeDecl[] = [];
  const seen = new Set<string>();
  const root = cls.prototype as object;
  for (let proto = root as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [member, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (member === "constructor" || seen.has(member)) continue;
      seen.add(member);
      const readFn = [d.get, d.value].find((f): f is Fn => typeof f === "function" && RECORDS.has(f));
      const rec = readFn && RECORDS.get(readFn);
      if (readFn === undefined || rec === undefined) continue;
      const name = rec.opts.name ?? rec.member;
      const where = `pipe ${name}`;
      const setter = d.get === readFn ? d.set as Fn | undefined : undefined;
      if (setter !== undefined && rec.opts.write !== undefined) throw new TypeError(`${where}: a setter and a write method; keep one`);
      const writeFn = setter ?? (rec.opts.write === undefined ? undefined : methodOf(root, rec.opts.write, where));
      const allowedFn = rec.opts.isAllowed === undefined ? undefined : methodOf(root, rec.opts.isAllowed, where);
      out.push(resolvePipe(name, rec.opts, (device) => readFn.call(device),
        writeFn && ((device: Device, blob: PipeBlob) => writeFn.call(device, blob)),
        allowedFn && ((device: Device, req: PipeReqType) => allowedFn.call(device, req))));
    }
  }
  const names = out.map((p) => p.name.toLowerCase());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new TypeError(`${cls.name}: pipe ${dup} is declared twice`);
  return out;
}
