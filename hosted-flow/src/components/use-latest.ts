import { useRef } from 'preact/hooks';

/**
 * A ref holding the value of the latest render. An effect that must start once (a polling loop, a camera
 * loop, a mounted island) reads callbacks through it, so a parent's new callback identity neither restarts
 * the effect nor leaves it calling a stale one.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
