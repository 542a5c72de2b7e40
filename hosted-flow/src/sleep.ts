/** Resolves after `ms` milliseconds (the pause between two polls or two analysed frames). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
