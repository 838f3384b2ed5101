/**
 * The arguments of a cucumber-js dry run (the `preflight` profile) that writes its Cucumber messages to `messages`:
 * which scenarios the paths, tags and name select, parsed and matched to step definitions, without running them.
 */
export function dryRunArguments(
  messages: string,
  options: { readonly paths: readonly string[]; readonly tags?: string; readonly name?: string },
): string[] {
  const args = [
    "node_modules/@cucumber/cucumber/bin/cucumber.js",
    "-p",
    "preflight",
    "--format",
    `message:${messages}`,
  ];
  if (options.tags) args.push("--tags", options.tags);
  if (options.name) args.push("--name", options.name);
  args.push(...options.paths);
  return args;
}
