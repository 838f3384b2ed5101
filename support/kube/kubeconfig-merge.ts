import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { parse, stringify } from "yaml";

interface Named {
  name: string;
  [key: string]: unknown;
}
interface KubeconfigFile {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  "current-context"?: string;
  [key: string]: unknown;
}

/** The file kubectl writes to: the first of KUBECONFIG's files, else ~/.kube/config (kind merges into the same). */
export function userKubeconfigPath(env: Readonly<Record<string, string | undefined>>): string {
  return (env.KUBECONFIG ?? "").split(delimiter).find(Boolean) ?? join(homedir(), ".kube", "config");
}

/**
 * Puts `context` (with its cluster and user) from the file `from` into the user's kubeconfig, replacing entries of
 * the same names, as `kind export kubeconfig` does, except that the current-context is set only when the file has
 * none: switching someone's kubectl to another cluster is theirs to do (`kubectl config use-context`). Returns one
 * line saying what was done.
 */
export function mergeContextInto(target: string, from: string, context: string): string {
  if (target === from) return `kubeconfig: ${target} is kubequake's own; nothing to merge`;
  const source = parse(readFileSync(from, "utf8")) as KubeconfigFile;
  const entry = source.contexts?.find((c) => c.name === context);
  const ctx = entry?.context as { cluster?: string; user?: string } | undefined;
  const cluster = source.clusters?.find((c) => c.name === ctx?.cluster);
  const user = source.users?.find((u) => u.name === ctx?.user);
  if (!entry || !cluster || !user) return `kubeconfig: ${from} has no complete context "${context}"; nothing merged`;
  const file: KubeconfigFile = existsSync(target)
    ? ((parse(readFileSync(target, "utf8")) as KubeconfigFile | null) ?? {})
    : { apiVersion: "v1", kind: "Config" };
  const put = (list: Named[] | undefined, item: Named) => [...(list ?? []).filter((i) => i.name !== item.name), item];
  file.apiVersion ??= "v1";
  file.kind ??= "Config";
  file.clusters = put(file.clusters, cluster);
  file.users = put(file.users, user);
  file.contexts = put(file.contexts, entry);
  const current = file["current-context"];
  if (!current) file["current-context"] = context;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(`${target}.kubequake-tmp`, stringify(file), { mode: 0o600 });
  renameSync(`${target}.kubequake-tmp`, target);
  return current && current !== context
    ? `kubeconfig: context "${context}" merged into ${target}; its current-context stays "${current}" (switch with \`kubectl config use-context ${context}\`, or use \`kubectl --context ${context}\`)`
    : `kubeconfig: context "${context}" merged into ${target} and is its current-context: kubectl works now`;
}
