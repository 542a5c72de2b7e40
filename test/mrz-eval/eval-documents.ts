import { createLocalCheckProvider } from '../../functions/checks/local';
import { evaluate, figures, formatFigures, realImages, syntheticImages, type Outcome } from './evaluate';

/**
 * `npm run eval:documents [-- --count N] [-- --verbose]`: the local document check on the tuning part and the
 * evaluation part of the synthetic documents (test/mrz-eval/documents.ts) and on the shared test set's
 * documents. The last line sums the evaluation part and the real documents:
 * `eval:documents exact=<n>/<n> refused=<n> wrong=<n> p50_ms=<n>`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const countArg = args.indexOf('--count');
  const count = countArg >= 0 ? Number(args[countArg + 1]) : undefined;
  const verbose = args.includes('--verbose');
  const provider = createLocalCheckProvider();
  await provider.warmUp();
  const report = (title: string, outcomes: Outcome[]) => {
    console.log(`${title}: ${formatFigures(figures(outcomes))}`);
    for (const o of outcomes) {
      if (o.verdict !== 'exact' || verbose)
        console.log(`  ${o.verdict.padEnd(7)} ${o.name} ${Math.round(o.ms)} ms ${o.detail}`);
    }
  };
  const tuning = await evaluate(provider, await syntheticImages('tuning', count));
  report('tuning (synthetic, thresholds tuned here)', tuning);
  const evaluation = await evaluate(provider, await syntheticImages('evaluation', count));
  report('evaluation (synthetic, never tuned on)', evaluation);
  const real = await evaluate(provider, realImages());
  report('real (shared test set documents)', real);
  console.log(`eval:documents ${formatFigures(figures([...evaluation, ...real]))}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
