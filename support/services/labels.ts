/** Parses a label selector of the form "app=web,tier=backend" into a map; rejects anything else with the reason. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim())) {
    const match = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/.exec(part);
    if (!match)
      throw new Error(
        `expected labels like "app=web,tier=backend", saw "${text}" (the part "${part}" is not key=value)`,
      );
    labels[match[1]!] = match[2]!;
  }
  return labels;
}
