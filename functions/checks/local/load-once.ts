/**
 * A process-wide loader: the first call starts `load`, every later call gets the same promise (models load once
 * per process and stay warm; concurrent first calls share one load). A failed load is forgotten so the next
 * call retries (e.g. after a transient file error).
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | null = null;
  return () =>
    (promise ??= load().catch((err: unknown) => {
      promise = null;
      throw err;
    }));
}
