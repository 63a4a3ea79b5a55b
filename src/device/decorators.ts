import { AttrWriteType, CmdArgType } from "../core/index.js";
import type { AttrDataFormat, AttrScalarType, InputOf, ValueOf } from "../core/index.js";
import type { AttrReadValue } from "./attr-value.js";
import {
  resolveAttribute, resolveCommand,
  type AttrData, type AttrWriteData, type AttributeDecl, type AttributeOptions, type CommandDecl,
  type CommandOptions, type PropertyDecl, type PropertyOptions, type PropertyType,
} from "./declarations.js";
import type { Device } from "./device.js";
import type { PipeDecl } from "./pipe-decl.js";
import { classPipes } from "./pipe-decorator.js";
import { formatPropertyValue } from "./property-value.js";

/*
 * TC39 decorators that only record (STYLE §9). Each record is keyed by the decorated function, so
 * `classDeclarations` finds it by walking the prototype chain once per class; nothing is patched.
 */
type Pending =
  | { kind: "attr-getter" | "attr-setter" | "attr-method"; member: string; opts: AttributeOptions }
  | { kind: "command"; member: string; opts: CommandOptions }
  | { kind: "property"; decl: PropertyDecl };
const RECORDS = new WeakMap<object, Pending>();

/** What a read may return: the data, `attrValue(...)`, or undefined when there is no value. */
export type AttrReadResult<T extends AttrScalarType, F extends AttrDataFormat> = AttrData<T, F> | AttrReadValue | undefined;

/**
 * Declares an attribute on a getter (READ, or READ_WRITE with a setter of the same name), on a
 * setter (WRITE), or on a method that returns the value, possibly asynchronously (READ).
 *
 * ```ts
 * @attribute({ dtype: DevDouble, unit: "V", maxAlarm: 28 })
 * get voltage(): number { return this.#volts; }
 * set voltage(v: number) { this.#volts = v; }
 * ```
 */
export function attribute<T extends AttrScalarType, F extends AttrDataFormat = AttrDataFormat.SCALAR>(opts: AttributeOptions<T, F>) {
  return function <This extends Device>(
    target:
      | ((this: This) => AttrReadResult<T, F>)
      | ((this: This) => Promise<AttrReadResult<T, F>>)
      | ((this: This, value: AttrWriteData<T, F>) => void | Promise<void>),
    ctx: ClassGetterDecoratorContext<This> | ClassSetterDecoratorContext<This> | ClassMethodDecoratorContext<This>,
  ): void {
    if (ctx.static || typeof ctx.name !== "string") throw new TypeError("@attribute goes on an instance member with a string name");
    // Bad options throw here, when the class is defined (STYLE §9), not when its first device is built.
    resolveAttribute(opts.name ?? ctx.name, opts as AttributeOptions, opts.access ?? AttrWriteType.READ);
    const kind = ctx.kind === "getter" ? "attr-getter" : ctx.kind === "setter" ? "attr-setter" : "attr-method";
    RECORDS.set(target, { kind, member: ctx.name, opts: opts as AttributeOptions });
  };
}

/** The method's argout: whatever `InputOf` accepts, or nothing for DevVoid. */
export type CommandResult<O extends CmdArgType> = O extends CmdArgType.DevVoid ? void : InputOf<O>;

/**
 * Declares a command on a method. The method receives the argin already checked against
 * `dtypeIn` and returns the argout (or a promise of it).
 *
 * ```ts
 * @command({ dtypeIn: DevDouble, dtypeOut: DevDouble, docIn: "Any DevDouble value" })
 * DevDouble(argin: number): number { return argin; }
 * ```
 */
export function command<I extends CmdArgType = CmdArgType.DevVoid, O extends CmdArgType = CmdArgType.DevVoid>(opts: CommandOptions<I, O> = {}) {
  return function <This extends Device>(
    target: (this: This, argin: ValueOf<I>) => CommandResult<O> | Promise<CommandResult<O>>,
    ctx: ClassMethodDecoratorContext<This>,
  ): void {
    if (ctx.static || typeof ctx.name !== "string") throw new TypeError("@command goes on an instance method with a string name");
    resolveCommand(opts.name ?? ctx.name, opts as CommandOptions, () => undefined);
    RECORDS.set(target, { kind: "command", member: ctx.name, opts: opts as CommandOptions });
  };
}

function propertyDecorator(scope: "device" | "class") {
  return function <T extends PropertyType>(opts: PropertyOptions<T>) {
    return function <This extends Device>(
      _target: ClassAccessorDecoratorTarget<This, ValueOf<T>>,
      ctx: ClassAccessorDecoratorContext<This, ValueOf<T>>,
    ): ClassAccessorDecoratorResult<This, ValueOf<T>> {
      if (ctx.static || typeof ctx.name !== "string") throw new TypeError(`@${scope}Property goes on an instance accessor`);
      const name = ctx.name;
      if (opts.mandatory && opts.defaultValue !== undefined) {
        throw new TypeError(`property ${name}: a mandatory property has no default (spec §7 item 3)`);
      }
      const decl: PropertyDecl = {
        name, dtype: opts.dtype, description: opts.description ?? "", mandatory: opts.mandatory ?? false, scope,
        defaultValue: opts.defaultValue === undefined ? undefined : formatPropertyValue(opts.dtype, opts.defaultValue),
      };
      const get = function (this: This): ValueOf<T> {
        return this.getPropertyValue(name) as ValueOf<T>;
      };
      RECORDS.set(get, { kind: "property", decl });
      return {
        get,
        set(): void {
          throw new TypeError(`property ${name} is read-only; change it with putProperty and Init`);
        },
      };
    };
  };
}

/**
 * Declares a device property on an accessor; reading it gives the configured value parsed to
 * `dtype`, else `defaultValue` (spec §7).
 *
 * ```ts
 * @deviceProperty({ dtype: DevString, defaultValue: "localhost" }) accessor host!: string;
 * ```
 */
export const deviceProperty = propertyDecorator("device");

/** Declares a class property on an accessor: one value for every device of the class. */
export const classProperty = propertyDecorator("class");

/** Everything a device class declares, resolved once per class and shared by its devices. @internal */
export interface ClassDeclarations {
  readonly attributes: readonly AttributeDecl[];
  readonly commands: readonly CommandDecl[];
  readonly properties: readonly PropertyDecl[];
  readonly pipes: readonly PipeDecl[];
}

const RESOLVED = new WeakMap<object, ClassDeclarations>();

function accessOf(getter: boolean, setter: boolean, opts: AttributeOptions): AttrWriteType {
  if (opts.access !== undefined) return opts.access;
  if (getter && setter) return AttrWriteType.READ_WRITE;
  return setter ? AttrWriteType.WRITE : AttrWriteType.READ;
}

function collectMember(name: string, d: PropertyDescriptor, out: { attributes: AttributeDecl[]; commands: CommandDecl[]; properties: PropertyDecl[] }): void {
  const fns = [d.value, d.get, d.set].filter((f): f is object => typeof f === "function");
  for (const fn of fns) {
    const rec = RECORDS.get(fn);
    if (rec === undefined) continue;
    if (rec.kind === "property") {
      out.properties.push(rec.decl);
    } else if (rec.kind === "command") {
      const method = fn as (this: Device, argin: unknown) => unknown;
      out.commands.push(resolveCommand(rec.opts.name ?? rec.member, rec.opts,
        rec.opts.dtypeIn === undefined || rec.opts.dtypeIn === CmdArgType.DevVoid
          ? (device) => method.call(device, undefined)
          : (device, argin) => method.call(device, argin)));
    } else {
      const get = rec.kind === "attr-setter" ? undefined : (rec.kind === "attr-getter" ? d.get : d.value) as ((this: Device) => unknown) | undefined;
      const set = rec.kind === "attr-method" ? undefined : d.set as ((this: Device, v: unknown) => unknown) | undefined;
      out.attributes.push(resolveAttribute(rec.opts.name ?? rec.member, rec.opts, accessOf(get !== undefined, set !== undefined, rec.opts),
        get && ((device) => get.call(device)), set && ((device, v) => set.call(device, v))));
    }
  }
}

/**
 * The declarations of a device class: its own and its ancestors' (a subclass member of the same
 * name wins). Computed on first use and cached. @internal
 */
export function classDeclarations(cls: abstract new (...args: never[]) => Device): ClassDeclarations {
  const cached = RESOLVED.get(cls);
  if (cached !== undefined) return cached;
  const out = { attributes: [] as AttributeDecl[], commands: [] as CommandDecl[], properties: [] as PropertyDecl[] };
  const seen = new Set<string>();
  for (let proto = cls.prototype as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [member, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (member === "constructor" || seen.has(member)) continue;
      seen.add(member);
      collectMember(member, d, out);
    }
  }
  const dup = (names: string[]): string | undefined => names.find((n, i) => names.indexOf(n) !== i);
  const a = dup(out.attributes.map((x) => x.name.toLowerCase()));
  if (a) throw new TypeError(`${cls.name}: attribute ${a} is declared twice`);
  const c = dup(out.commands.map((x) => x.name.toLowerCase()));
  if (c) throw new TypeError(`${cls.name}: command ${c} is declared twice`);
  const result: ClassDeclarations = Object.freeze({ ...out, pipes: classPipes(cls) });
  RESOLVED.set(cls, result);
  return result;
}
