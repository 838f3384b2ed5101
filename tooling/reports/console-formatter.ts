// The console formatter of `kubequake run` (cucumber.js): cucumber's own pretty printer, fed each scenario whole and
// each attachment after its step (tooling/reports/console-order.ts says why). A cucumber-js formatter plugin.

import type { Envelope } from "@cucumber/messages";
import { PrettyPrinter } from "@cucumber/pretty-formatter";
import { consoleOrder } from "./console-order.ts";

interface FormatterContext {
  on(event: "message", handler: (envelope: Envelope) => void): void;
  stream: NodeJS.WritableStream;
  options: { theme?: unknown; pretty?: Record<string, unknown> };
}

export default {
  type: "formatter",
  formatter({ on, stream, options }: FormatterContext): void {
    // As cucumber-js's built-in "pretty" sets it up (its resolveTerminalOptions keeps only the theme here).
    const printer = new PrettyPrinter({
      stream,
      options: { ...(options.theme === undefined ? {} : { theme: options.theme }), ...options.pretty, summarise: true },
    } as ConstructorParameters<typeof PrettyPrinter>[0]);
    on(
      "message",
      consoleOrder((envelope) => printer.update(envelope)),
    );
  },
};
