import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type IpFamily,
  ipFamilyVariable,
  type ProxyMode,
  parseIpFamily,
  parseProxyMode,
  proxyModes,
  proxyModeVariable,
} from "../support/cluster/variant.ts";
import { UserError } from "../support/errors/user-error.ts";
import { createLogger } from "../support/log/logger.ts";
import { generateAllureReport } from "../tooling/reports/allure.ts";
import { type VariantRun, writeMatrixReports } from "../tooling/reports/matrix.ts";
import { parseOptions } from "./options.ts";

const help = `kubequake matrix [paths…] [--tags EXPR] [--name REGEX] [--proxy-modes LIST] [--ip-families LIST] [--out DIR]

Runs the same scenarios on each cluster variant, one after another (never side by side: each variant's cluster
needs the machine's cores), and joins the reports:
  <out>/<variant>/…            each variant's own reports (as \`kubequake run\` writes them, its cucumber.html too)
  <out>/junit/cucumber.xml     every test case, its variant in its name ("… [nftables]")
  <out>/allure-report/         one Allure report, the variant a parameter ("proxy mode")
  <out>/matrix.md              the side-by-side table: result, failed requests, longest failure window and p99 of
                               each scenario's steady traffic per variant; results that differ listed first
--proxy-modes LIST   comma-separated kube-proxy modes (default ${proxyModes.join(",")}); each is its own kind cluster
                     (made by the run if missing, about 2 min here with the build cached, and left running)
--ip-families LIST   comma-separated IP families (default ipv4); with ipv4,dual each mode also runs on its
                     dual-stack cluster ("iptables-dual", "nftables-dual": the variant's name in the reports); ipv6
                     adds the IPv6-only clusters ("iptables-ipv6", "nftables-ipv6")
--out DIR            where to write (default reports/matrix)
Paths, --tags and --name select scenarios as in \`kubequake run\`. Exit code 0 only when every variant passed.
The whole suite per variant takes as long as \`kubequake run\` does (about 25 min here): the nightly job runs it.`;

/** `kubequake matrix …`. */
export async function matrixCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseOptions("matrix", argv, {
    allowPositionals: true,
    options: {
      tags: { type: "string" },
      name: { type: "string" },
      "proxy-modes": { type: "string" },
      "ip-families": { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const families = parseFamilies(values["ip-families"]);
  const variants = parseModes(values["proxy-modes"]).flatMap((mode) =>
    families.map((family) => ({ mode, family, name: family === "ipv4" ? mode : `${mode}-${family}` })),
  );
  const out = values.out ?? join("reports", "matrix");
  const log = createLogger("matrix");
  const selection = [
    ...positionals,
    ...(values.tags ? ["--tags", values.tags] : []),
    ...(values.name ? ["--name", values.name] : []),
  ];
  const runs: (VariantRun & { exitCode: number; seconds: number })[] = [];
  for (const [index, variant] of variants.entries()) {
    if (signal.aborted) break;
    const dir = join(out, variant.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const step = `[${index + 1}/${variants.length}] ${variant.name}`;
    log.info(
      `${step}: kubequake --proxy-mode ${variant.mode} --ip-family ${variant.family} run ${selection.join(" ")}`,
    );
    const started = performance.now();
    const exitCode = await runVariant(variant, dir, selection, signal);
    const seconds = (performance.now() - started) / 1000;
    log.info(`${step}: exit code ${exitCode} after ${seconds.toFixed(0)} s`);
    runs.push({ variant: variant.name, dir, exitCode, seconds });
  }
  const summary = writeMatrixReports(
    runs,
    families.length === 1 && families[0] === "ipv4" ? "proxy mode" : "variant",
    out,
  );
  await generateAllureReport(out, log);
  console.log(`\n${summary.table}`);
  for (const row of summary.differing) {
    log.warn(
      `differs: ${row.uri}: ${row.name}: ${row.byVariant.map((f, i) => `${runs[i]!.variant} ${f?.status.toLowerCase() ?? "not run"}`).join(", ")}`,
    );
  }
  log.info(
    `${runs.map((r) => `${r.variant} exit ${r.exitCode} (${r.seconds.toFixed(0)} s)`).join(", ")}; ${summary.junitTests} JUnit test case(s), ${summary.allureResults} Allure result(s)`,
  );
  log.info(`reports: ${out}/matrix.md, ${out}/junit/cucumber.xml, ${out}/allure-report/index.html`);
  if (signal.aborted) throw signal.reason;
  return runs.length === variants.length && runs.every((r) => r.exitCode === 0) ? 0 : 1;
}

function parseModes(list: string | undefined): ProxyMode[] {
  if (list === undefined) return [...proxyModes];
  const modes = list.split(",").map((m) => parseProxyMode(m.trim(), "--proxy-modes"));
  if (new Set(modes).size !== modes.length)
    throw new UserError(`--proxy-modes ${list}: a mode is named twice`, "name each mode once.", { exitCode: 2 });
  return modes;
}

function parseFamilies(list: string | undefined): IpFamily[] {
  if (list === undefined) return ["ipv4"];
  const families = list.split(",").map((f) => parseIpFamily(f.trim(), "--ip-families"));
  if (new Set(families).size !== families.length)
    throw new UserError(`--ip-families ${list}: a family is named twice`, "name each family once.", { exitCode: 2 });
  return families;
}

/** One variant's `kubequake run`, its output shown as it comes; its reports in `dir`. Ctrl-C stops it (it cleans up). */
function runVariant(
  variant: { mode: ProxyMode; family: IpFamily },
  dir: string,
  selection: readonly string[],
  signal: AbortSignal,
): Promise<number> {
  return new Promise((resolve) => {
    // Its own process group: a Ctrl-C in the terminal reaches this process only, which passes exactly one SIGINT on
    // (a second one would make the run quit without cleaning up).
    const child = spawn(process.execPath, [process.argv[1]!, "run", ...selection], {
      stdio: "inherit",
      detached: true,
      env: {
        ...process.env,
        [proxyModeVariable]: variant.mode,
        [ipFamilyVariable]: variant.family,
        KUBEQUAKE_REPORTS: dir,
      },
    });
    const stop = () => child.kill("SIGINT");
    signal.addEventListener("abort", stop, { once: true });
    child.on("exit", (code, killedBy) => {
      signal.removeEventListener("abort", stop);
      resolve(code ?? (killedBy ? 130 : 1));
    });
  });
}
