import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminHandler } from '../handlers/admin';
import { createApplicantHandler } from '../handlers/applicant';
import { createIntegratorHandler } from '../handlers/integrator';
import { createPublicHandler } from '../handlers/public';
import type { CheckProvider } from '../ports/checks';
import type { Clock } from '../ports/clock';
import { logger } from '../http/observability';
import type { LocalConfig } from './config';
import { createLocalRuntime, type LocalRuntime } from './deps';
import { faceLivenessBrowserOrigins } from '../http/hosted-flow-policy';
import { serveDashboard } from './dashboard-static';
import { serveHostedFlow } from './hosted-flow-static';
import { createLocalServer, type LambdaLikeHandler } from './server';
import { LocalWorker, runLoggedSweep } from './worker';

export interface RunningApp {
  runtime: LocalRuntime;
  server: Server;
  worker: LocalWorker;
  url: string;
  /** Graceful stop: no new connections, finish in-flight requests and jobs, close the database. */
  stop(): Promise<void>;
}

/**
 * Starts the whole local service in this process: HTTP server, job worker and maintenance timer,
 * over one data directory.
 */
export async function startLocalApp(
  config: LocalConfig,
  overrides: { clock?: Clock; checks?: () => Promise<CheckProvider> } = {},
): Promise<RunningApp> {
  const runtime = createLocalRuntime(config, overrides);
  const { deps, queue } = runtime;
  const worker = new LocalWorker(deps, queue, {
    concurrency: {
      'webhook.deliver': config.webhookConcurrency,
      'pipeline.run': config.pipelineConcurrency,
      'maintenance.sweep': 1,
    },
  });
  // Jobs enqueued by this process start at once instead of at the next poll.
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = async (...args) => {
    await enqueue(...args);
    worker.nudge();
  };
  const server = createLocalServer({
    deps,
    operators: runtime.operators,
    handlers: {
      admin: createAdminHandler(deps, { operators: runtime.operators }) as LambdaLikeHandler,
      integrator: createIntegratorHandler(deps) as LambdaLikeHandler,
      applicant: createApplicantHandler(deps) as LambdaLikeHandler,
      public: createPublicHandler(deps) as LambdaLikeHandler,
    },
    staticFiles: (req, res) =>
      serveHostedFlow(req, res, {
        distDir: config.hostedFlowDir,
        frameAncestors: config.frameAncestors,
        // Face Liveness is an AWS mode; an embedding host (or a test) that configures it gets its endpoints.
        connectOrigins: () =>
          deps.config.faceLiveness ? faceLivenessBrowserOrigins(deps.config.faceLiveness.region) : [],
      }) || serveDashboard(req, res, { distDir: config.dashboardDir }),
    maxBodyBytes: config.maxUploadBytes + 1024,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  worker.start();
  runtime.startCheckpoints();
  await runLoggedSweep(deps).catch((err: unknown) => logger.error('start-up sweep failed', { error: String(err) }));
  const sweepTimer = setInterval(() => {
    void queue.enqueue('maintenance.sweep', {}, { dedupeKey: 'maintenance.sweep' });
  }, config.sweepIntervalSeconds * 1000);
  sweepTimer.unref();
  const address = server.address() as AddressInfo;
  let stopping: Promise<void> | null = null;
  return {
    runtime,
    server,
    worker,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`,
    stop() {
      stopping ??= (async () => {
        clearInterval(sweepTimer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await worker.stop();
        await runtime.close();
      })();
      return stopping;
    },
  };
}
