import { expect } from "chai";
import { DevFailed } from "../../src/core/index.js";
import { NAME_COMMAND_DOCS } from "../../src/database/names/command-docs.js";
import type { DeviceTestContext } from "../../src/testing/index.js";
import { forEachBackend } from "../support/test-db.js";
import {
  REFERENCE, plain, seedReference, useDataBase, withHost, type RecordedCall,
} from "./names-fixture.js";

/*
 * The recorded calls and misuse cases of the shared reference (cppTango 9.3.4's DataBaseds) for
 * the names commands, replayed in order against a database seeded as the recording's was, each
 * result compared whole: argout, or the error stack (reason, description, origin of every frame).
 */

const NAME_COMMANDS = new Set(Object.keys(NAME_COMMAND_DOCS));

/** Calls whose answer depends on what cppTango is and this database is not; each has its own test. */
const REPLAYED_ELSEWHERE: Record<number, string> = {
  112: "DbGetCSDbServerList reads CORBA IORs there, grpc:// addresses here (names-export.test.ts)",
  115: "DbMySqlSelect runs on MySQL there and is refused here (names-info.test.ts)",
  116: "DbMySqlSelect: the refusal's description differs (names-info.test.ts)",
};

/** Calls after which the reference's dates are "now" of the recording: compared as dates, not as text. */
const FIRST_DATED_CALL = 36;
const INFO_DATE = /^\d{1,2}(st|nd|rd|th) [A-Z][a-z]+ \d{4} at \d\d:\d\d:\d\d$/;

function normalizeDates(value: unknown): unknown {
  if (typeof value === "string" && INFO_DATE.test(value)) return "<date>";
  if (Array.isArray(value)) return value.map(normalizeDates);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeDates(v)]));
  return value;
}

interface Outcome { argout?: unknown; errors?: { reason: string; desc: string; origin: string }[] }

async function run(ctx: DeviceTestContext, call: RecordedCall): Promise<Outcome> {
  try {
    const argin = withHost(call.argin);
    return { argout: plain(await ctx.proxy.commandInout(call.command, argin === null ? undefined : argin)) };
  } catch (err) {
    if (!(err instanceof DevFailed)) throw err;
    return { errors: err.errors.map((e) => ({ reason: e.reason, desc: e.desc, origin: e.origin })) };
  }
}

function expected(call: RecordedCall): Outcome {
  if (call.errors !== undefined) return { errors: call.errors.map((e) => ({ reason: e.reason, desc: e.desc, origin: e.origin })) };
  return { argout: withHost(call.argout ?? null) };
}

forEachBackend("DataBase names commands replay the reference's recorded calls", (_backend, openDb) => {
  const suite = useDataBase(openDb);

  it("answers every recorded call of these commands as cppTango did, in the recorded order", async () => {
    await seedReference(suite.db);
    let replayed = 0;
    for (const [i, call] of REFERENCE.examples.calls.entries()) {
      if (!NAME_COMMANDS.has(call.command) || i in REPLAYED_ELSEWHERE) continue;
      const got = await run(suite.ctx, call);
      const want = expected(call);
      const label = `call ${i}: ${call.command} ${JSON.stringify(call.argin)}${call.case ? ` (${call.case})` : ""}`;
      if (i >= FIRST_DATED_CALL) expect(normalizeDates(got), label).to.deep.equal(normalizeDates(want));
      else expect(got, label).to.deep.equal(want);
      replayed++;
    }
    expect(replayed).to.equal(86);
  });

  it("answers every recorded misuse of these commands with cppTango's result or error stack", async () => {
    await seedReference(suite.db);
    let replayed = 0;
    for (const [i, call] of REFERENCE.examples.misuse_errors.entries()) {
      // Case 42 sends a DevLong: the client converts its argin to the command's type first.
      if (!NAME_COMMANDS.has(call.command) || i === 42) continue;
      const got = await run(suite.ctx, call);
      expect(got, `misuse ${i}: ${call.command} ${JSON.stringify(call.argin)} (${call.case ?? ""})`).to.deep.equal(expected(call));
      replayed++;
    }
    expect(replayed).to.equal(33);
  });

  it("refuses an unknown command as cppTango does", async () => {
    const call = REFERENCE.examples.misuse_errors[43] as RecordedCall;
    const got = await run(suite.ctx, call);
    expect(got.errors?.map((e) => e.reason)).to.deep.equal(call.errors?.map((e) => e.reason));
  });

  it("declares each command with the reference's types and descriptions", async () => {
    const infos = await suite.ctx.proxy.commandListQuery();
    for (const ref of REFERENCE.commands.filter((c) => NAME_COMMANDS.has(c.name))) {
      const info = infos.find((c) => c.name === ref.name);
      expect(info, ref.name).to.not.equal(undefined);
      expect([info?.inType, info?.outType, info?.inTypeDesc, info?.outTypeDesc], ref.name)
        .to.deep.equal([ref.in_type_code, ref.out_type_code, ref.in_type_desc, ref.out_type_desc]);
    }
  });
});
