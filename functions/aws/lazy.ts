/**
 * A stand-in that builds the real object on first use. Lambda entries share one AppDeps, but each uses
 * only some ports: the integrator never touches S3, KMS or Step Functions, so it should not pay their
 * SDK's load time at cold start. Methods are bound to the real instance.
 */
export function lazily<T extends object>(create: () => T): T {
  let instance: T | null = null;
  return new Proxy({} as T, {
    get(_target, prop) {
      instance ??= create();
      const value = Reflect.get(instance, prop, instance) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
    },
  });
}
