// Every command's options are read here: Node's parseArgs, with kubequake's answer to a mistake instead of Node's
// programmer wording or the whole help text: "unknown option --paralel; did you mean --parallel?" and where the
// options are listed, with exit code 2 (the command line was refused before anything ran).
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UserError } from "../support/errors/user-error.ts";
import { nearestWord } from "../tooling/lint/suggest.ts";

/** Parses `args` for `command` ("run", "cluster"…); a mistake is a UserError with exit code 2. */
export function parseOptions<T extends Omit<ParseArgsConfig, "args">>(
  command: string,
  args: readonly string[],
  config: T,
): ReturnType<typeof parseArgs<T & { args: string[] }>> {
  try {
    return parseArgs({ ...config, args: [...args] });
  } catch (error) {
    throw optionError(command, config, error);
  }
}

function optionError(command: string, config: Omit<ParseArgsConfig, "args">, error: unknown): UserError {
  const help = `\`npx kubequake ${command} --help\` lists the options.`;
  const code = (error as { code?: string }).code;
  const message = (error instanceof Error ? error.message : String(error)).split(/\n|\. /)[0]!;
  const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    const names = Object.entries(config.options ?? {}).flatMap(([name, option]) => [
      `--${name}`,
      ...(option.short ? [`-${option.short}`] : []),
    ]);
    const nearest = nearestWord(unknown.replace(/=.*$/, ""), names);
    return new UserError(`${command}: unknown option ${unknown}${nearest ? `; did you mean ${nearest}?` : ""}`, help, {
      exitCode: 2,
    });
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return new UserError(
      `${command}: takes no paths or words, saw ${message.replace(/^Unexpected argument /, "")}`,
      help,
      {
        exitCode: 2,
      },
    );
  }
  // A value missing or starting with a dash ("--parallel -1"): Node's words, without its advice for programmers.
  return new UserError(`${command}: ${message}`, help, { exitCode: 2 });
}
