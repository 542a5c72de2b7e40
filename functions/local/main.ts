import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapIfEmpty } from '../app/admin';
import { bootstrapFirstAdmin } from '../app/operators';
import { logger } from '../http/observability';
import { startLocalApp } from './app';
import { loadLocalConfig } from './config';

/**
 * `npm start`: the whole service in one process over one data directory. One server per data
 * directory (a pid lock file), because the job worker assumes it is the only one.
 */
async function main(): Promise<void> {
  const config = loadLocalConfig();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lockFile = join(config.dataDir, 'server.pid');
  acquireLock(lockFile);
  const app = await startLocalApp(config);
  const boot = await bootstrapIfEmpty(app.runtime.deps);
  const [onlyOrg, ...otherOrgs] = await app.runtime.deps.store.orgs.list();
  // The first admin of a fresh installation (or of one upgraded from before operators existed).
  const firstAdmin =
    onlyOrg && otherOrgs.length === 0
      ? await bootstrapFirstAdmin(app.runtime.operators, onlyOrg.id, config.adminEmail)
      : null;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`KYC service listening on ${app.url} (public URL ${config.publicUrl})`);
  out(`  data directory: ${config.dataDir}`);
  out(`  API reference:  ${config.publicUrl}/openapi.json`);
  if (boot) {
    out('');
    out(`Created organisation ${boot.org.id} (enterprise) with default flow ${boot.flow.id}.`);
    out('Mint a test key (shown once) in another terminal:');
    out('  npm run kyc -- keys create --mode test');
  }
  if (firstAdmin) {
    out('');
    out(`Dashboard admin created: ${firstAdmin.operator.email}`);
    out(`  password (shown once, store it now): ${firstAdmin.password}`);
    out(
      `  sign in at ${config.publicUrl}/dashboard/ ; more operators: npm run kyc -- operators create --email <e> --role admin|reviewer`,
    );
  }
  if (config.warmModels) {
    // Load the offline models now, in the background, so the first verification doesn't pay for it.
    void app.runtime.deps
      .checks()
      .then((p) => p.warmUp())
      .catch((err: unknown) => logger.error('model warm-up failed', { error: String(err) }));
  }
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal });
    app
      .stop()
      .then(() => {
        releaseLock(lockFile);
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      });
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function acquireLock(file: string): void {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `another KYC server (pid ${pid}) is running on this data directory; stop it first or set KYC_DATA_DIR`,
      );
    }
    writeFileSync(file, String(process.pid), { mode: 0o600 }); // stale lock from a crashed process
  }
}

function releaseLock(file: string): void {
  try {
    if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
