import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REASON_CODES, REASON_CODE_NAMES } from '../../functions/domain/reason-codes';
import { RISK_FLAG_NAMES } from '../../functions/domain/risk-flags';

const doc = readFileSync(join(__dirname, '../../docs/reason-codes.md'), 'utf8');

/** Table rows (`| \`NAME\` | ... |`) of the section with the given `## ` heading, as cell arrays. */
function tableRows(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`section "${heading}" missing`);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('docs/reason-codes.md', () => {
  it('lists exactly the reason-code catalog, in catalog order, each with its effect', () => {
    const rows = tableRows('Reason codes');
    expect(rows.map((r) => r[0])).toEqual(REASON_CODE_NAMES.map((c) => `\`${c}\``));
    for (const row of rows) {
      const code = row[0]!.slice(1, -1) as keyof typeof REASON_CODES;
      expect(row).toHaveLength(4);
      expect({ code, effect: row[3] }).toEqual({ code, effect: REASON_CODES[code].effect });
    }
  });

  it('lists exactly the risk-flag catalog, in catalog order', () => {
    const rows = tableRows('Risk flags');
    expect(rows.map((r) => r[0])).toEqual(RISK_FLAG_NAMES.map((f) => `\`${f}\``));
    for (const row of rows) expect(row).toHaveLength(3);
  });

  it('documents the decision rules', () => {
    expect(doc).toContain('\n## Decision rules\n');
    expect(doc).toContain('ATTEMPTS_EXHAUSTED');
  });
});
