/** Id port: prefixed, random ids (Stripe style). Prefixes name the entity: vrf_, flow_, whe_, whd_... */
export type IdPrefix = 'org' | 'flow' | 'key' | 'vrf' | 'whe' | 'whd' | 'cap' | 'evt' | 'op' | 'idm';

export interface IdGenerator {
  next(prefix: IdPrefix): string;
}
