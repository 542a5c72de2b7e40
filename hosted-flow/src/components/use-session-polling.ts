import { useEffect } from 'preact/hooks';
import type { Session } from '../api';
import { useFlow } from '../context';
import { sleep } from '../sleep';
import { useLatest } from './use-latest';

export interface SessionPollHandlers {
  /** A session was read; return true to stop polling. */
  onSession(session: Session): boolean;
  /** The read failed; return true to stop polling, false to keep trying. */
  onError(error: unknown): boolean;
}

/**
 * Reads the session every `intervalMs` while the component is mounted, until a handler says stop. The loop
 * starts once: handlers are read through a ref, so a parent's re-render does not restart it.
 */
export function useSessionPolling(intervalMs: number, handlers: SessionPollHandlers): void {
  const { api } = useFlow();
  const latest = useLatest(handlers);
  useEffect(() => {
    if (!api) return;
    let stopped = false;
    void (async () => {
      while (!stopped) {
        try {
          const session = await api.getSession();
          if (stopped || latest.current.onSession(session)) return;
        } catch (error) {
          if (stopped || latest.current.onError(error)) return;
        }
        await sleep(intervalMs);
      }
    })();
    return () => {
      stopped = true;
    };
  }, [api, intervalMs, latest]);
}
