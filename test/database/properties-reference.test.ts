import { expect } from "chai";
import type { SqlDb } from "../../src/database/sql/sql-db.js";
import { DevFailed } from "../../src/index.js";
import type { DeviceTestContext } from "../../src/testing/index.js";
import { forEachBackend } from "../support/test-db.js";
import {
  addDevices, callerOf, loadReference, startDataBase, withReferenceDates, type DbCall, type RecordedCall,
} from "./properties-fixture.js";

/*
 * The recorded calls of cppTango's DataBaseds, replayed in their order against one database
 * seeded as the recorded one was: every property command must give the recorded argout. The
 * calls of the other DataBase commands (servers, devices, export) are made too, as they change
 * the rows the property commands read.
 */

const PROPERTY_COMMANDS = new Set([
  "DbDeleteAllDeviceAttributeProperty", "DbDeleteAllDevicePipeProperty", "DbDeleteClassAttribute",
  "DbDeleteClassAttributeProperty", "DbDeleteClassPipe", "DbDeleteClassPipeProperty", "DbDeleteClassProperty",
  "DbDeleteDeviceAttribute", "DbDeleteDeviceAttributeProperty", "DbDeleteDevicePipe", "DbDeleteDevicePipeProperty",
  "DbDeleteDeviceProperty", "DbDeleteProperty", "DbGetClassAttributeList", "DbGetClassAttributeProperty",
  "DbGetClassAttributeProperty2", "DbGetClassAttributePropertyHist", "DbGetClassPipeList", "DbGetClassPipeProperty",
  "DbGetClassPipePropertyHist", "DbGetClassProperty", "DbGetClassPropertyHist", "DbGetClassPropertyList",
  "DbGetDataForServerCache", "DbGetDeviceAttributeList", "DbGetDeviceAttributeProperty", "DbGetDeviceAttributeProperty2",
  "DbGetDeviceAttributePropertyHist", "DbGetDevicePipeList", "DbGetDevicePipeProperty", "DbGetDevicePipePropertyHist",
  "DbGetDeviceProperty", "DbGetDevicePropertyHist", "DbGetDevicePropertyList", "DbGetObjectList", "DbGetProperty",
  "DbGetPropertyHist", "DbGetPropertyList", "DbPutClassAttributeProperty", "DbPutClassAttributeProperty2",
  "DbPutClassPipeProperty", "DbPutClassProperty", "DbPutDeviceAttributeProperty", "DbPutDeviceAttributeProperty2",
  "DbPutDevicePipeProperty", "DbPutDeviceProperty", "DbPutProperty",
]);

const IOR = "IOR:0100000017000000...";

/** The database as the recording found it: the servers running, the class properties installed. */
async function seedAsRecorded(db: SqlDb): Promise<void> {
  const running = { exported: true, ior: IOR, host: "HOST", version: "5", pid: 0 };
  await addDevices(db, [
    { name: "sys/tg_test/1", server: "TangoTest/test", class: "TangoTest", ...running },
    { name: "dserver/TangoTest/test", server: "TangoTest/test", class: "DServer", ...running },
    { name: "sys/database/2", server: "DataBaseds/2", class: "DataBase", ...running },
    { name: "dserver/DataBaseds/2", server: "DataBaseds/2", class: "DServer", ...running },
  ]);
  const classProps: [string, string, string[]][] = [
    ["DServer", "AllowedAccessCmd", ["QueryClass", "QueryDevice", "EventSubscriptionChange", "DevPollStatus",
      "GetLoggingLevel", "GetLoggingTarget", "QueryWizardDevProperty", "QueryWizardClassProperty", "QuerySubDevice",
      "ZMQEventSubscriptionChange", "EventConfirmSubscription"]],
    ["TangoTest", "Description", ["A device to test generic clients. It offers a \"echo\" like command for",
      "each TANGO data type (i.e. each command returns an exact copy of <argin>)."]],
    ["TangoTest", "doc_url", ["http://www.esrf.eu/computing/cs/tango/tango_doc/ds_doc/"]],
    ["TangoTest", "InheritedFrom", ["TANGO_BASE_CLASS"]],
    ["TangoTest", "ProjectTitle", ["TANGO Device Server for testing generic clients"]],
  ];
  for (const [cls, name, values] of classProps) {
    for (const [i, v] of values.entries()) {
      await db.query("INSERT INTO property_class (class, name, idx, value) VALUES ($1, $2, $3, $4)", [cls, name, i + 1, v]);
    }
  }
}

/**
 * A recorded call of another DataBase command (servers, devices, export, aliases), made as it was:
 * the property commands read the rows it changes. Its own answer is checked by the names tests;
 * the few cppTango-specific ones (DbMySqlSelect, CORBA addresses) may fail here without harm.
 */
async function callOtherCommand(call: DbCall, c: RecordedCall): Promise<void> {
  await call(c.command, c.argin ?? undefined).catch((err: unknown) => {
    if (!(err instanceof DevFailed)) throw err;
  });
}

/**
 * The writes the recording's last call reads back: a PyTango server storing its memorized
 * attributes (4.25, 'hello world', True) the way a server does, one `__value` per put.
 */
async function writeMemorizedAsRecorded(call: DbCall): Promise<void> {
  for (const [attribute, value] of [["mem_double", "4.25"], ["mem_string", "hello world"], ["mem_bool", "true"]]) {
    await call("DbPutDeviceAttributeProperty2", ["test/mem/1", "1", attribute, "1", "__value", "1", value]);
  }
}

/** Calls `c` and compares with the recording: the argout, or the whole error stack. */
async function expectAsRecorded(call: DbCall, c: RecordedCall, what: string): Promise<void> {
  const outcome = await call(c.command, c.argin ?? undefined).then(
    (argout) => ({ argout: withReferenceDates(argout ?? null) }),
    (err: unknown) => ({ err }));
  if (c.exception === undefined) {
    expect("argout" in outcome ? outcome.argout : outcome.err, what).to.deep.equal(c.argout ?? null);
    return;
  }
  expect("err" in outcome, `${what}: expected ${c.exception}`).to.equal(true);
  const df = (outcome as { err: unknown }).err;
  expect(df, what).to.be.instanceOf(DevFailed);
  const stack = (df as DevFailed).errors.map((e) => ({ reason: e.reason, desc: e.desc, origin: e.origin }));
  expect(stack, what).to.deep.equal(c.errors?.map((e) => ({ reason: e.reason, desc: e.desc, origin: e.origin })));
}

forEachBackend("DataBase property commands against cppTango's recorded calls", (_backend, openDb) => {
  const reference = loadReference();
  let db: SqlDb | undefined;
  let ctx: DeviceTestContext | undefined;
  let call: DbCall;

  before(async () => {
    db = await openDb();
    ctx = await startDataBase(db);
    call = callerOf(ctx);
    await seedAsRecorded(db);
  });
  after(async () => {
    await ctx?.close();
    await db?.close();
  });

  it("gives every recorded argout, replaying the whole recording in order", async () => {
    let replayed = 0;
    for (const [i, c] of reference.examples.calls.entries()) {
      if (!PROPERTY_COMMANDS.has(c.command)) {
        await callOtherCommand(call, c);
        continue;
      }
      if (c.case?.startsWith("PyTango server test/mem/1") === true) await writeMemorizedAsRecorded(call);
      await expectAsRecorded(call, c, `call #${i} ${c.command} ${JSON.stringify(c.argin)}`);
      replayed += 1;
    }
    expect(replayed).to.equal(reference.examples.calls.filter((c) => PROPERTY_COMMANDS.has(c.command)).length).and.to.be.above(70);
  });

  it("answers the recorded misuses as cppTango did", async () => {
    // The one left out: a put whose counts ask for more elements than sent made cppTango read out
    // of bounds (a CORBA BAD_PARAM); here it is DB_IncorrectArguments (properties-errors.test.ts).
    const misuses = reference.examples.misuse_errors
      .filter((c) => PROPERTY_COMMANDS.has(c.command) && c.exception !== "CommunicationFailed");
    expect(misuses.length).to.be.above(6);
    for (const c of misuses) await expectAsRecorded(call, c, `${c.command} (${c.case ?? ""})`);
  });

  it("declares the property commands with the reference's types and descriptions", async () => {
    if (ctx === undefined) throw new Error("no context");
    const declared = await ctx.proxy.commandListQuery();
    for (const ref of reference.commands.filter((r) => PROPERTY_COMMANDS.has(r.name))) {
      const mine = declared.find((d) => d.name === ref.name);
      expect(mine, ref.name).to.not.equal(undefined);
      expect([mine?.inTypeDesc, mine?.outTypeDesc, mine?.inType, mine?.outType], ref.name)
        .to.deep.equal([ref.in_type_desc, ref.out_type_desc, ref.in_type_code, ref.out_type_code]);
    }
  });
});
