/**
 * `npm run test:faults`: the local runtime's fault run (issue 12 §3) at full size: 20 SIGKILLs of the real
 * `npm start` server at random moments under a load of live (real checks) and test-mode verifications with
 * webhooks, restarted each time; then the invariants (see test/support/kill-restart.ts). Prints the counts and
 * exits 1 on any violation. Knobs: FAULT_KILLS (20), FAULT_LIVE (24), FAULT_TEST (36).
 */
import { runKillRestart } from '../support/kill-restart';

async function main(): Promise<void> {
  const kills = Number(process.env.FAULT_KILLS ?? 20);
  const report = await runKillRestart({
    kills,
    live: Number(process.env.FAULT_LIVE ?? 24),
    test: Number(process.env.FAULT_TEST ?? 36),
    killAfterMs: [500, 4000],
    launchGapMs: 600,
    log: (line) => console.log(line),
  });
  const v = report.verifications;
  const d = report.deliveries;
  console.log(
    `\nverifications: ${v.live} live + ${v.test} test, ${v.decided} decided (${Object.entries(v.byStatus)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')})`,
  );
  console.log(
    `deliveries: ${d.owed} owed, ${d.delivered} arrived (${d.receipts} receipts, ${d.duplicates} duplicates of an id already received)`,
  );
  console.log(
    `kills ${report.kills}, slowest restart to listening ${report.maxRestartMs} ms, terminal observations ${report.terminalObservations}, run ${(report.durationMs / 1000).toFixed(0)} s`,
  );
  for (const line of report.violations) console.log(`VIOLATION ${line}`);
  console.log(
    `test:faults kills=${report.kills} verifications=${v.live + v.test} decided=${v.decided} owed=${d.owed} delivered=${d.delivered} duplicates=${d.duplicates} violations=${report.violations.length}`,
  );
  process.exit(report.violations.length === 0 && report.kills === kills ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
