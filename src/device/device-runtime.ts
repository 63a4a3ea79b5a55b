import type { Logger } from "pino";
import { AttrQuality, CmdArgType, DispLevel } from "../core/index.js";
import { AttributeState } from "./attribute-state.js";
import type { ClassDeclarations } from "./decorators.js";
import type { AttributeDecl, CommandDecl } from "./declarations.js";
import { PipeState } from "./pipe-state.js";
import type { AlarmKind } from "./quality.js";
import { TaskGroup } from "./task-group.js";

/** The three commands every device has (spec §5.1 item 3); Init's work is done by the server. */
function builtinCommands(): CommandDecl[] {
  return [
    { name: "Init", inType: CmdArgType.DevVoid, outType: CmdArgType.DevVoid, inDesc: "", outDesc: "", level: DispLevel.OPERATOR,
      execute: () => { throw new TypeError("Init is run by the server"); } },
    { name: "State", inType: CmdArgType.DevVoid, outType: CmdArgType.DevState, inDesc: "", outDesc: "Device state",
      level: DispLevel.OPERATOR, execute: (d) => d.devState() },
    { name: "Status", inType: CmdArgType.DevVoid, outType: CmdArgType.DevString, inDesc: "", outDesc: "Device status",
      level: DispLevel.OPERATOR, execute: (d) => d.devStatus() },
  ];
}

/** The last alarm found on an attribute, kept for the Status text. */
export interface AlarmMark {
  readonly kind: AlarmKind | "qualityAlarm" | "qualityWarning";
  readonly who: string;
}

/** Events device code declared it pushes for one attribute (set_change_event & co, spec §12.2). */
export interface PushedEvents {
  /** Change events pushed by code; `detect`: the change criteria still apply. */
  change?: { readonly detect: boolean };
  archive?: { readonly detect: boolean };
  alarm?: { readonly detect: boolean };
  /** Data-ready events are pushed by code (set_data_ready_event). */
  dataReady?: boolean;
}

/** Per-device runtime: attribute states, the command table, alarms and owned tasks. @internal */
export class DeviceRuntime {
  readonly decls: ClassDeclarations;
  readonly tasks: TaskGroup;
  readonly #attributes = new Map<string, AttributeState>();
  readonly #commands = new Map<string, CommandDecl>();
  readonly #dynamicAttributes = new Set<string>();
  readonly #dynamicCommands = new Set<string>();
  readonly #pipes = new Map<string, PipeState>();
  /** Alarms found by the last State evaluation or reads, by lower-case attribute name. */
  readonly alarms = new Map<string, AlarmMark>();
  /** What device code pushes, by lower-case attribute name (State and Status included). */
  readonly pushedEvents = new Map<string, PushedEvents>();
  /** Keeps a memorized attribute's written value (DeviceHost.memorize); none in a device without a store. */
  memorize: ((attribute: string, value: unknown) => Promise<void>) | undefined;

  constructor(decls: ClassDeclarations, log: Logger) {
    this.decls = decls;
    this.tasks = new TaskGroup(log);
    for (const c of builtinCommands()) this.#commands.set(c.name.toLowerCase(), c);
    for (const c of decls.commands) this.#commands.set(c.name.toLowerCase(), c);
    for (const a of decls.attributes) this.#attributes.set(a.name.toLowerCase(), new AttributeState(a));
    for (const p of decls.pipes) this.#pipes.set(p.name.toLowerCase(), new PipeState(p));
  }

  /** The pipe of that name (any case). */
  pipe(name: string): PipeState | undefined {
    return this.#pipes.get(name.toLowerCase());
  }

  /** Every pipe in declaration order. */
  pipes(): IterableIterator<PipeState> {
    return this.#pipes.values();
  }

  /** What device code pushes for an attribute (any case); empty when nothing was declared. */
  pushed(name: string): PushedEvents {
    return this.pushedEvents.get(name.toLowerCase()) ?? {};
  }

  /** The attribute of that name (any case), State and Status excluded. */
  attribute(name: string): AttributeState | undefined {
    return this.#attributes.get(name.toLowerCase());
  }

  /** Every attribute in declaration order (dynamic ones last). */
  attributes(): IterableIterator<AttributeState> {
    return this.#attributes.values();
  }

  /** The command of that name (any case). */
  command(name: string): CommandDecl | undefined {
    return this.#commands.get(name.toLowerCase());
  }

  /** Every command. */
  commands(): IterableIterator<CommandDecl> {
    return this.#commands.values();
  }

  addAttribute(decl: AttributeDecl): void {
    const key = decl.name.toLowerCase();
    if (key === "state" || key === "status" || this.#attributes.has(key)) {
      throw new TypeError(`attribute ${decl.name} already exists`);
    }
    this.#attributes.set(key, new AttributeState(decl));
    this.#dynamicAttributes.add(key);
  }

  removeAttribute(name: string): boolean {
    const key = name.toLowerCase();
    if (!this.#dynamicAttributes.delete(key)) return false;
    this.alarms.delete(key);
    this.pushedEvents.delete(key);
    return this.#attributes.delete(key);
  }

  addCommand(decl: CommandDecl): void {
    const key = decl.name.toLowerCase();
    if (this.#commands.has(key)) throw new TypeError(`command ${decl.name} already exists`);
    this.#commands.set(key, decl);
    this.#dynamicCommands.add(key);
  }

  removeCommand(name: string): boolean {
    const key = name.toLowerCase();
    if (!this.#dynamicCommands.delete(key)) return false;
    return this.#commands.delete(key);
  }

  /** Records the outcome of an attribute's quality for the State/Status evaluation. */
  markQuality(state: AttributeState, quality: AttrQuality, kind: AlarmKind | undefined): void {
    const key = state.decl.name.toLowerCase();
    const who = state.label !== state.decl.name ? state.label : `attribute ${state.decl.name}`;
    if (kind !== undefined) this.alarms.set(key, { kind, who });
    else if (quality === AttrQuality.ATTR_ALARM) this.alarms.set(key, { kind: "qualityAlarm", who });
    else if (quality === AttrQuality.ATTR_WARNING) this.alarms.set(key, { kind: "qualityWarning", who });
    else this.alarms.delete(key);
  }
}
