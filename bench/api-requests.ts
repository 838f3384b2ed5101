import type { Kube } from "../support/kube/client.ts";

/**
 * Counts the API requests made through `kube`'s typed clients (each one authenticates through its KubeConfig once),
 * so a benchmark can print how many calls a piece of work made: a count, not a time, so it is the same on a noisy
 * machine. Requests through the API server's pod proxy (the prober's answers) are not counted.
 */
export function countApiRequests(kube: Kube): { readonly count: () => number } {
  let count = 0;
  const authenticate = kube.config.applySecurityAuthentication.bind(kube.config);
  kube.config.applySecurityAuthentication = async (context) => {
    count++;
    return authenticate(context);
  };
  return { count: () => count };
}
