/**
 * The one place a test asks whether an engine is there, and the only way a test starts one.
 *
 * An **engine** is a program outside Deno and outside a base Debian system that some tests drive
 * and that a developer has to install: Debian's Python S3 clients (boto 2, boto3), the AWS CLI v2,
 * rclone, s3cmd, Jupyter with Deno's kernel, Chromium, and Ceph RGW (reached through
 * `RGW_ENDPOINT`). `deno` itself and base tools every Debian has (`cat`, `sh`, util-linux's
 * `script`) are not engines. `tests/e2e/engines_test.ts` fails on any test file that spawns an
 * engine without {@linkcode engineCommand}.
 *
 * - {@linkcode engineTest} registers a test that needs engines. When one is missing, the test is
 *   registered as ignored and one line per engine says what to install; with `CI=true` it fails
 *   instead, since CI installs every engine.
 * - `TEST_ENGINES=none` hides every engine, also in CI: their tests are ignored, so a machine that
 *   has the engines can prove the fresh-machine path. `TEST_ENGINES=jupyter,rgw` keeps only those.
 * - Each engine is probed once per process (cached), synchronously while test modules load.
 *
 * @example
 * ```ts ignore
 * import { engineCommand, engineTest } from "./engines.ts";
 * engineTest("rclone", "rclone lists the buckets", async () => {
 *   const { code } = await engineCommand("rclone", { args: ["version"] }).output();
 * });
 * ```
 *
 * @module
 */

/** The engines tests may need. */
export type Engine =
  | "boto2"
  | "boto3"
  | "aws"
  | "rclone"
  | "s3cmd"
  | "jupyter"
  | "chromium"
  | "rgw";

/** The engines that are programs {@linkcode engineCommand} can start (RGW is an endpoint). */
export type CommandEngine = Exclude<Engine, "rgw">;

/** What the helper knows about one engine. */
export interface EngineInfo {
  /** What to call it in messages, e.g. `boto 2`. */
  label: string;
  /** What to install or do to get it, as a sentence end: `install Debian's python3-boto`. */
  install: string;
}

/** Debian's Python, which has Jupyter, boto3 and boto 2; `python3` on a PATH may be another. */
const PYTHON = "/usr/bin/python3";

/** Every engine, with its label and how to get it. */
export const ENGINES: Readonly<Record<Engine, EngineInfo>> = {
  boto2: { label: "boto 2", install: "install Debian's python3-boto" },
  boto3: { label: "boto3", install: "install Debian's python3-boto3" },
  aws: { label: "the AWS CLI v2 (/usr/bin/aws)", install: "install Debian's awscli" },
  rclone: { label: "rclone", install: "install Debian's rclone" },
  s3cmd: { label: "s3cmd", install: "install Debian's s3cmd" },
  jupyter: {
    label: "Jupyter with Deno's kernel",
    install: "install Debian's jupyter-nbconvert python3-nbclient jupyter-client " +
      "python3-ipykernel, then run `deno jupyter --install`",
  },
  chromium: { label: "Chromium", install: "install Debian's chromium" },
  rgw: {
    label: "Ceph RGW",
    install: "start one with `bash tests/engines/ceph.sh start DIR PORT` and set RGW_ENDPOINT",
  },
};

/** How each program engine is started: the executable and the arguments that come first. */
const COMMANDS: Readonly<Record<CommandEngine, { executable: string; prefix: string[] }>> = {
  boto2: { executable: PYTHON, prefix: [] },
  boto3: { executable: PYTHON, prefix: [] },
  aws: { executable: "/usr/bin/aws", prefix: [] },
  rclone: { executable: "rclone", prefix: [] },
  s3cmd: { executable: "s3cmd", prefix: [] },
  jupyter: { executable: PYTHON, prefix: ["-m", "jupyter"] },
  chromium: { executable: "chromium", prefix: [] },
};

/** True when running in CI, where every engine is required. */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

/** The engines `TEST_ENGINES` lets tests use: all when unset or `all`, none with `none`. */
const ENABLED: ReadonlySet<Engine> = parseEnabled(Deno.env.get("TEST_ENGINES"));

function parseEnabled(value: string | undefined): ReadonlySet<Engine> {
  const all = Object.keys(ENGINES) as Engine[];
  if (value === undefined || value.trim() === "" || value.trim() === "all") return new Set(all);
  if (value.trim() === "none") return new Set();
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !all.includes(name as Engine));
  if (unknown.length > 0) {
    throw new Error(
      `Cannot read TEST_ENGINES="${value}": unknown engine(s) ${unknown.join(", ")}; ` +
        `use none, all or a comma-separated list of ${all.join(", ")}`,
    );
  }
  return new Set(names as Engine[]);
}

const decoder = new TextDecoder();

/** Runs a probe command to completion; the exit code and output, or why it could not start. */
function probeRun(executable: string, args: string[]): { code: number; out: string } {
  try {
    const { code, stdout, stderr } = new Deno.Command(executable, {
      args,
      env: { PYDEVD_DISABLE_FILE_VALIDATION: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    return { code, out: `${decoder.decode(stdout)}\n${decoder.decode(stderr)}`.trim() };
  } catch (error) {
    return { code: -1, out: `"${executable}" cannot run (${(error as Error).name})` };
  }
}

/** The last non-empty line of a probe's output, for a one-line reason. */
function lastLine(text: string): string {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).at(-1) ?? "no output";
}

/** Checks one engine; returns why it is missing, or `undefined` when it is there. */
function probe(engine: Engine): string | undefined {
  switch (engine) {
    case "rgw":
      return Deno.env.get("RGW_ENDPOINT") ? undefined : "RGW_ENDPOINT is not set";
    case "boto2":
    case "boto3": {
      const module = engine === "boto2" ? "boto" : "boto3";
      const { code, out } = probeRun(PYTHON, ["-c", `import ${module}`]);
      return code === 0 ? undefined : `${PYTHON} -c "import ${module}" failed: ${lastLine(out)}`;
    }
    case "aws": {
      const { code, out } = probeRun("/usr/bin/aws", ["--version"]);
      if (code !== 0) return `/usr/bin/aws --version failed: ${lastLine(out)}`;
      return /^aws-cli\/2\./.test(out) ? undefined : `/usr/bin/aws is not v2: "${lastLine(out)}"`;
    }
    case "rclone":
    case "s3cmd":
    case "chromium": {
      const args = engine === "rclone" ? ["version"] : ["--version"];
      const { code, out } = probeRun(COMMANDS[engine].executable, args);
      return code === 0 ? undefined : `${engine} ${args[0]} failed: ${lastLine(out)}`;
    }
    case "jupyter": {
      const nbconvert = probeRun(PYTHON, ["-m", "jupyter", "nbconvert", "--version"]);
      if (nbconvert.code !== 0) {
        return `${PYTHON} -m jupyter nbconvert does not run: ${lastLine(nbconvert.out)}`;
      }
      const specs = probeRun(PYTHON, ["-m", "jupyter", "kernelspec", "list", "--json"]);
      let argv: string[] | undefined;
      try {
        argv = JSON.parse(specs.out.slice(specs.out.indexOf("{"))).kernelspecs?.deno?.spec?.argv;
      } catch {
        return `${PYTHON} -m jupyter kernelspec list failed: ${lastLine(specs.out)}`;
      }
      if (!argv) return "Deno's Jupyter kernel is not registered";
      try {
        if (Deno.statSync(argv[0]).isFile) return undefined;
      } catch {
        // reported below
      }
      return `Deno's kernel points at "${argv[0]}", which does not exist`;
    }
  }
}

/**
 * Process-wide memory: `deno test` runs each test file in its own isolate, so module state is not
 * shared between files, but the environment is the process's. Probe results (the Jupyter probe
 * takes about 4 s) and the engines already announced are kept in this variable, tagged with the
 * process id so a child process that inherits it probes afresh. Nothing is written to disk.
 */
const MEMORY = "DREAMOBJECTS_TEST_ENGINES_PROBED";

interface Memory {
  pid: number;
  probed: Partial<Record<Engine, string | null>>;
  announced: Engine[];
}

function recall(): Memory {
  try {
    const memory: Memory = JSON.parse(Deno.env.get(MEMORY) ?? "");
    if (memory.pid === Deno.pid) return memory;
  } catch {
    // none yet, or not ours
  }
  return { pid: Deno.pid, probed: {}, announced: [] };
}

function remember(change: (memory: Memory) => void) {
  const memory = recall();
  change(memory);
  Deno.env.set(MEMORY, JSON.stringify(memory));
}

/**
 * Tells why an engine cannot be used in this run: hidden by `TEST_ENGINES`, or not installed.
 * The probe runs once per process (cached across test files).
 *
 * @param engine The engine.
 * @returns A one-line reason, or `undefined` when the engine is there.
 *
 * @example
 * ```ts ignore
 * if (engineMissing("rclone")) console.log("no rclone here");
 * ```
 */
export function engineMissing(engine: Engine): string | undefined {
  if (!ENABLED.has(engine)) return `hidden by TEST_ENGINES=${Deno.env.get("TEST_ENGINES")}`;
  const known = recall().probed[engine];
  if (known !== undefined) return known ?? undefined;
  const why = probe(engine);
  remember((memory) => memory.probed[engine] = why ?? null);
  return why;
}

/** Prints, once per engine and process, why its tests are ignored and what to install. */
function announce(engine: Engine, why: string) {
  if (recall().announced.includes(engine)) return;
  remember((memory) => memory.announced.push(engine));
  const hidden = why.startsWith("hidden by");
  console.warn(
    `Ignoring the tests that need ${ENGINES[engine].label}: ${why}` +
      (hidden ? "" : `; to run them, ${ENGINES[engine].install}`),
  );
}

/** Test options {@linkcode engineTest} passes on to `Deno.test`. */
export type EngineTestOptions = Omit<Deno.TestDefinition, "name" | "fn" | "ignore">;

/**
 * Registers a test that needs engines, named with a `[engine]` tag per engine. All there: it runs.
 * One missing: on a developer machine it is registered as ignored and a line says what to install;
 * with `CI=true` it fails saying what CI lacks. Hidden by `TEST_ENGINES`: ignored, also in CI.
 *
 * @param needs The engine or engines the test needs.
 * @param name The test name, without tags.
 * @param fn The test body.
 * @param options Other `Deno.test` options (sanitizers...).
 *
 * @example
 * ```ts ignore
 * engineTest(["jupyter", "rgw"], "the notebook runs on RGW", async (t) => {});
 * ```
 */
export function engineTest(
  needs: Engine | readonly Engine[],
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
  options: EngineTestOptions = {},
): void {
  const engines = typeof needs === "string" ? [needs] : [...needs];
  const full = `${engines.map((engine) => `[${engine}]`).join(" ")} ${name}`;
  const missing = engines
    .map((engine) => ({ engine, why: engineMissing(engine) }))
    .filter((m): m is { engine: Engine; why: string } => m.why !== undefined);
  const hidden = missing.filter((m) => !ENABLED.has(m.engine));
  if (missing.length === 0) {
    Deno.test({ ...options, name: full, fn });
  } else if (IN_CI && hidden.length === 0) {
    Deno.test({
      ...options,
      name: full,
      fn() {
        const list = missing.map((m) => `${ENGINES[m.engine].label} (${m.why})`).join(", ");
        throw new Error(
          `Cannot run "${name}" in CI: missing ${list}; .ci/run must ` +
            missing.map((m) => ENGINES[m.engine].install).join(" and "),
        );
      },
    });
  } else {
    for (const m of missing) announce(m.engine, m.why);
    Deno.test({ ...options, name: full, ignore: true, fn: () => {} });
  }
}

/**
 * Registers a test that needs Ceph RGW (see {@linkcode engineTest}); the body gets its endpoint.
 *
 * @param name The test name, without tags.
 * @param fn The test body, given the RGW endpoint, e.g. `http://127.0.0.1:7480`.
 *
 * @example
 * ```ts ignore
 * rgwTest("buckets behave on RGW", async (_t, endpoint) => {});
 * ```
 */
export function rgwTest(
  name: string,
  fn: (t: Deno.TestContext, endpoint: string) => void | Promise<void>,
): void {
  engineTest("rgw", name, (t) => fn(t, rgwEndpoint()));
}

/**
 * The RGW endpoint of this run; only for tests registered with `"rgw"` among their engines.
 *
 * @returns The endpoint, e.g. `http://127.0.0.1:7480`.
 * @throws {Error} When RGW is missing or hidden.
 *
 * @example
 * ```ts ignore
 * engineTest(["jupyter", "rgw"], "…", () => console.log(rgwEndpoint()));
 * ```
 */
export function rgwEndpoint(): string {
  const why = engineMissing("rgw");
  if (why) throw new Error(`Cannot reach Ceph RGW: ${why}; ${ENGINES.rgw.install}`);
  return Deno.env.get("RGW_ENDPOINT")!.replace(/\/+$/, "");
}

/**
 * Builds the `Deno.Command` that starts an engine; the only way tests start one (checked by
 * `tests/e2e/engines_test.ts`). `jupyter` runs `/usr/bin/python3 -m jupyter ARGS`; `boto2` and
 * `boto3` run Debian's `/usr/bin/python3 ARGS`; `aws` is `/usr/bin/aws` (v2).
 *
 * @param engine The engine to start.
 * @param options `Deno.Command` options; `args` come after the engine's own prefix.
 * @returns The command, not yet started.
 * @throws {Error} When the engine is missing or hidden by `TEST_ENGINES`: start it only inside
 * a test registered with {@linkcode engineTest}.
 *
 * @example
 * ```ts ignore
 * const out = await engineCommand("jupyter", { args: ["kernelspec", "list"] }).output();
 * ```
 */
export function engineCommand(
  engine: CommandEngine,
  options: Deno.CommandOptions = {},
): Deno.Command {
  const why = engineMissing(engine);
  if (why) {
    throw new Error(
      `Cannot start ${ENGINES[engine].label}: ${why}; ${ENGINES[engine].install} ` +
        "(tests start engines only inside engineTest())",
    );
  }
  const { executable, prefix } = COMMANDS[engine];
  return new Deno.Command(executable, { ...options, args: [...prefix, ...(options.args ?? [])] });
}

/**
 * The path of an engine's executable, for a library that starts the program itself (puppeteer
 * starts Chromium: see `browser.ts`). Like {@linkcode engineCommand}, only inside an
 * {@linkcode engineTest}.
 *
 * @param engine The engine.
 * @returns Its executable, resolved on the PATH when it is a bare name.
 * @throws {Error} When the engine is missing or hidden by `TEST_ENGINES`.
 */
export function engineExecutable(engine: CommandEngine): string {
  const why = engineMissing(engine);
  if (why) {
    throw new Error(
      `Cannot start ${ENGINES[engine].label}: ${why}; ${ENGINES[engine].install} ` +
        "(tests start engines only inside engineTest())",
    );
  }
  const { executable } = COMMANDS[engine];
  if (executable.includes("/")) return executable;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = `${dir}/${executable}`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this folder
    }
  }
  return executable;
}
