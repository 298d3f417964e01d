// Runs one autocannon load in its own process (so the load does not share the server's event
// loop) and prints its JSON result. Argument: a JSON object of autocannon options.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] as string) as autocannon.Options;
const result = await autocannon({
  ...options,
  renderProgressBar: false,
  renderResultsTable: false,
} as autocannon.Options);
process.stdout.write(
  JSON.stringify({
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes: (result as unknown as { statusCodeStats: Record<string, { count: number }> })
      .statusCodeStats,
  }),
);
