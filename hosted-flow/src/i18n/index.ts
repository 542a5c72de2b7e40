import { ar } from './ar';
import { en, type Catalog, type MessageKey } from './en';
import { fr } from './fr';

/**
 * Message catalogs and formatting. Every visible string comes from a catalog; placeholders are named
 * (`{count}`) so translators can move them; plurals pick `<key>.<CLDR form>` with Intl.PluralRules.
 */

export type Locale = 'en' | 'fr' | 'ar';
export type { MessageKey };
export const SUPPORTED_LOCALES: readonly Locale[] = ['en', 'fr', 'ar'];
const CATALOGS: Record<Locale, Catalog> = { en, fr, ar };
const RTL: ReadonlySet<Locale> = new Set(['ar']);

export type MessageParams = Record<string, string | number>;

/** A translator bound to one locale. */
export interface Translator {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  t(key: MessageKey, params?: MessageParams): string;
  /** Plural message: `base` + `.one`/`.other`/... chosen by CLDR rules for `count`. */
  plural(base: string, count: number, params?: MessageParams): string;
  /** A key that is only known at run time (reason codes, error codes); null when missing. */
  tryKey(key: string, params?: MessageParams): string | null;
}

/** Picks the first supported locale: the session's, then the browser's preferences, then English. */
export function chooseLocale(sessionLocale: string | null | undefined, browserLanguages: readonly string[]): Locale {
  for (const candidate of [sessionLocale, ...browserLanguages]) {
    if (!candidate) continue;
    const base = candidate.toLowerCase().split(/[-_]/)[0] as Locale;
    if (SUPPORTED_LOCALES.includes(base)) return base;
  }
  return 'en';
}

/** Builds the translator for a locale. */
export function translator(locale: Locale): Translator {
  const catalog = CATALOGS[locale];
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  const lookup = (key: string): string | undefined =>
    (catalog as Record<string, string>)[key] ?? (en as Record<string, string>)[key];
  const format = (template: string, params: MessageParams = {}): string =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  return {
    locale,
    dir: RTL.has(locale) ? 'rtl' : 'ltr',
    t: (key, params) => format(lookup(key) ?? key, params),
    plural: (base, count, params = {}) => {
      const template = lookup(`${base}.${plurals.select(count)}`) ?? lookup(`${base}.other`) ?? base;
      return format(template, { count, ...params });
    },
    tryKey: (key, params) => {
      const template = lookup(key);
      return template === undefined ? null : format(template, params);
    },
  };
}
