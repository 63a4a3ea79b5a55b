import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { DeviceProxy, DevState } from "../../src/client/index.js";
import { makeConsumerProject, npmEnv, type ConsumerProject } from "../support/packed-package.js";
import { waitFor } from "../support/wait-for.js";

/*
 * examples/motor as a user has it: the folder copied to a temporary directory (without
 * node_modules, dist and a lockfile), the packed tango-grpc and the example's dev dependencies
 * installed offline (test/support/packed-package.ts), then its own scripts run there: the build
 * (tsc), its tests (tsc type-check, then mocha with DeviceTestContext), and the installed
 * `tango-grpc serve` loading the class from the configs' `module:`.
 */

const EXAMPLE_DIR = fileURLToPath(new URL("../../examples/motor", import.meta.url));
/** npm pack (with the build) and the offline install, as test/support/packed-package.ts bounds them. */
const SETUP_TIMEOUT_MS = 400_000;
/** One npm script of the example: tsc, or tsc and mocha (~15 s on an idle machine). */
const SCRIPT_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;

/** What a finished process left. */
interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs `npm run <script>` in `cwd` in its own process group, killed whole if it outlives
 * `timeoutMs`; resolves with the exit code and the whole output (mocha reports failures on stdout).
 */
function runScript(script: string, cwd: string, timeoutMs: number): Promise<Finished> {
  const child = spawn("npm", ["run", script], { cwd, env: npmEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => { output += s; });
  child.stderr.setEncoding("utf8").on("data", (s: string) => { output += s; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`npm run ${script} did not finish within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.once("error", (err) => { clearTimeout(timer); reject(err); });
    child.once("close", (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** A `tango-grpc serve` of the consumer project, on ports the OS picks. */
interface Served {
  readonly child: ChildProcess;
  readonly grpcPort: number;
  readonly output: () => string;
}

/** Starts the installed program with `serve --config <config>` in `cwd`; resolves once it logs that it is ready. */
function serveConfig(project: ConsumerProject, config: string, onSpawn: (child: ChildProcess) => void): Promise<Served> {
  const child = spawn(process.execPath, [project.cliPath, "serve", "--config", config], {
    cwd: project.dir, stdio: ["ignore", "pipe", "pipe"],
    env: { ...npmEnv(), TANGO_GRPC_HOST: "127.0.0.1", TANGO_GRPC_PORT: "0", TANGO_HTTP_HOST: "127.0.0.1", TANGO_HTTP_PORT: "0", TANGO_LOG_LEVEL: "info" },
  });
  onSpawn(child);
  let output = "";
  let pending = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => { output += s; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tango-grpc serve --config ${config} was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      output += s;
      pending += s;
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const grpcPort = readyPort(line);
        if (grpcPort !== undefined) {
          clearTimeout(timer);
          resolve({ child, grpcPort, output: () => output });
        }
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tango-grpc serve --config ${config} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** The gRPC port of the server's "Ready to accept request" log line, if this is that line. */
function readyPort(line: string): number | undefined {
  if (!line.startsWith("{")) return undefined;
  const rec = JSON.parse(line) as { msg?: unknown; grpcPort?: unknown };
  return rec.msg === "Ready to accept request" && typeof rec.grpcPort === "number" ? rec.grpcPort : undefined;
}

/** How many tests the example declares: its mocha run must report exactly that many passing. */
function declaredTests(): number {
  const dir = join(EXAMPLE_DIR, "test");
  return readdirSync(dir).filter((f) => f.endsWith(".test.ts"))
    .reduce((n, f) => n + (readFileSync(join(dir, f), "utf8").match(/^\s*it\(/gmu)?.length ?? 0), 0);
}

describe("examples/motor against the packed tango-grpc", function () {
  this.timeout(SCRIPT_TIMEOUT_MS);
  let project: ConsumerProject | undefined;
  let building: Promise<Finished> | undefined;
  let server: ChildProcess | undefined;

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    project = await makeConsumerProject({ copyFrom: EXAMPLE_DIR });
  });
  after(async () => { await project?.remove(); });
  afterEach(async () => {
    const child = server;
    server = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  });

  function consumer(): ConsumerProject {
    if (project === undefined) throw new Error("the consumer project was not made");
    return project;
  }

  /** `npm run build` in the consumer, once for the tests that need dist/. */
  function build(): Promise<Finished> {
    building ??= runScript("build", consumer().dir, SCRIPT_TIMEOUT_MS);
    return building;
  }

  it("compiles with its own tsc (npm run build) into dist/motor.js and its declarations", async () => {
    const { code, output } = await build();
    expect(code, output).to.equal(0);
    for (const file of ["motor.js", "motor.d.ts", "motion.js"]) expect(existsSync(join(consumer().dir, "dist", file)), file).to.equal(true);
  });

  it("passes its own tests (npm test: a strict type-check of src and test, then mocha with tango-grpc/testing)", async () => {
    const { code, output } = await runScript("test", consumer().dir, SCRIPT_TIMEOUT_MS);
    expect(code, output).to.equal(0);
    expect(output).to.match(new RegExp(`^\\s*${declaredTests()} passing`, "mu"));
    expect(output).not.to.match(/failing|pending/u);
  });

  for (const [config, how] of [["motor.yaml", "a path relative to the config"], ["docker/server.yaml", "its package name, as the image does"]] as const) {
    it(`is served by the installed tango-grpc from ${config}, which names the module by ${how}`, async () => {
      expect((await build()).code, "npm run build").to.equal(0);
      if (config === "docker/server.yaml") {
        // Where the image puts the package: node_modules/<its name>, beside tango-grpc.
        const link = join(consumer().dir, "node_modules", "tango-grpc-example-motor");
        if (!existsSync(link)) symlinkSync(consumer().dir, link, "dir");
      }
      const served = await serveConfig(consumer(), config, (child) => { server = child; });
      const motor = new DeviceProxy(`tango://127.0.0.1:${served.grpcPort}/lab/motor/1`);
      try {
        expect((await motor.info()).devClass).to.equal("Motor");
        expect((await motor.readAttribute("velocity")).value, "the Velocity property of the config").to.equal(2);
        await motor.commandInout("Move", 0.5);
        expect(await motor.state()).to.equal(DevState.MOVING);
        await waitFor(async () => (await motor.state()) === DevState.ON, "the end of the move", 10_000);
        expect((await motor.readAttribute("position")).value).to.equal(0.5);
      } finally {
        motor.close();
      }
      const exited = new Promise<number | null>((resolve) => served.child.once("exit", (code) => resolve(code)));
      served.child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), EXIT_TIMEOUT_MS).unref())]);
      expect(code, `exit after SIGTERM:\n${served.output().slice(-2000)}`).to.equal(0);
    });
  }
});
