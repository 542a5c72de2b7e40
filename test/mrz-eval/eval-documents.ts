import { createLocalCheckProvider } from '../../functions/checks/local';
import { evaluate, figures, formatFigures, realImages, syntheticImages, type Outcome } from './evaluate';

/**
 * `npm run eval:documents [-- --parts tuning,evaluation,real] [--skip N] [--count N] [--verbose]`: the local
 * document check on the tuning part and the evaluation part of the synthetic documents
 * (test/mrz-eval/documents.ts) and on the shared test set's documents. `--parts` runs only some of them (while
 * iterating: `--parts tuning`); `--skip`/`--count` take a slice of each synthetic part. The last line sums the
 * evaluation part and the real documents:
 * `eval:documents exact=<n>/<n> refused=<n> wrong=<n> p50_ms=<n>`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const count = option('--count') === undefined ? undefined : Number(option('--count'));
  const skip = Number(option('--skip') ?? 0);
  const parts = new Set((option('--parts') ?? 'tuning,evaluation,real').split(','));
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
  if (parts.has('tuning')) {
    const tuning = await evaluate(provider, await syntheticImages('tuning', count, skip));
    report('tuning (synthetic, thresholds tuned here)', tuning);
  }
  const evaluation = parts.has('evaluation')
    ? await evaluate(provider, await syntheticImages('evaluation', count, skip))
    : [];
  if (parts.has('evaluation')) report('evaluation (synthetic, never tuned on)', evaluation);
  const real = parts.has('real') ? await evaluate(provider, realImages()) : [];
  if (parts.has('real')) report('real (shared test set documents)', real);
  if (parts.has('evaluation') || parts.has('real'))
    console.log(`eval:documents ${formatFigures(figures([...evaluation, ...real]))}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
