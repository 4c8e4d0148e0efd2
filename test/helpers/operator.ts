/**
 * The operator's side of the tests: the policy-file bindings an operator would declare for the local servers
 * a test file starts (loopback is not special: it is bound like any host), and its managing credentials.
 */

/** Bindings for database rotators at 127.0.0.1 (any port: the servers take free ports), without TLS as the test servers have none. */
export function localDatabases(
  rotators: string[],
  options: { managers?: { secret: string; for: string[] }[]; hosts?: string[] } = {},
): Record<string, unknown> {
  const hosts = options.hosts ?? ["127.0.0.1:*"];
  return {
    bindings: Object.fromEntries(rotators.map((r) => [r, [{ hosts, tls: "disable" }]])),
    managers: (options.managers ?? []).map((m) => ({ secret: m.secret, host: hosts[0], for: m.for })),
  };
}
