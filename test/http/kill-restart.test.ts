/**
 * The fault run of issue 12 §3 at the size of a unit run: the real server (dist/main.js, built by `npm test`) is
 * killed with SIGKILL 3 times at random moments under test-mode verifications with webhooks, and restarted.
 * Afterwards the three invariants hold: one decision per verification, every owed delivery arrived at least
 * once under a stable id, no verification changed after it became terminal. `npm run test:faults` is the
 * full-size run (20 kills, live checks).
 */
import { runKillRestart } from '../support/kill-restart';

it('keeps its invariants across 3 SIGKILLs and restarts', async () => {
  const report = await runKillRestart({ kills: 3, live: 0, test: 8, killAfterMs: [300, 1500], launchGapMs: 250 });

  expect(report.violations).toEqual([]);
  expect(report.kills).toBe(3);
  expect(report.verifications.decided).toBe(8);
  // Two events per decided outcome (completed + approved/rejected/manual_review), one endpoint.
  expect(report.deliveries.owed).toBe(16);
  expect(report.deliveries.delivered).toBe(report.deliveries.owed);
}, 240_000);
