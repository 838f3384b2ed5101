/** A namespaced logger: progress goes to stderr so stdout stays machine-readable where a command prints data. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  child(namespace: string): Logger;
}

const debugNamespaces = (process.env.KUBEQUAKE_DEBUG ?? "").split(",").filter(Boolean);

export function createLogger(namespace: string): Logger {
  const debugEnabled = debugNamespaces.some((pattern) => pattern === "*" || namespace.startsWith(pattern));
  const write = (level: string, message: string) => process.stderr.write(`[${namespace}]${level} ${message}\n`);
  return {
    info: (message) => write("", message),
    warn: (message) => write(" warning:", message),
    debug: (message) => {
      if (debugEnabled) write(" debug:", message);
    },
    child: (child) => createLogger(`${namespace}:${child}`),
  };
}
