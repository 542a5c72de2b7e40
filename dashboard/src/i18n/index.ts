import { ar } from './ar';
import { en, type MessageKey } from './en';
import { fr } from './fr';

/**
 * Message catalogs of the dashboard. Every visible string comes from a catalog; placeholders are named
 * (`{count}`); dates and numbers are formatted for the chosen locale; Arabic is laid out right to left.
 */

export type Locale = 'en' | 'fr' | 'ar';
export type { MessageKey };
export const LOCALES: readonly Locale[] = ['en', 'fr', 'ar'];
/** Each language's name in itself, for the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français', ar: 'العربية' };
const CATALOGS: Record<Locale, Partial<Record<MessageKey, string>>> = { en, fr, ar };

export type MessageParams = Record<string, string | number>;

export interface Translator {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  t(key: MessageKey, params?: MessageParams): string;
  /** A key only known at run time (status, event, reason code); the fallback when the catalog lacks it. */
  dynamic(key: string, fallback: string): string;
  dateTime(iso: string | null | undefined): string;
  number(value: number, maximumFractionDigits?: number): string;
}

/** The first supported language among the stored choice and the browser's preferences; English otherwise. */
export function chooseLocale(stored: string | null, browserLanguages: readonly string[]): Locale {
  for (const candidate of [stored, ...browserLanguages]) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0];
    if (base && (LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return 'en';
}

/** Replaces `{name}` placeholders; numbers are formatted for the locale. */
export function format(template: string, params: MessageParams, numbers: Intl.NumberFormat): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numbers.format(value) : value;
  });
}

export function translator(locale: Locale): Translator {
  const catalog = CATALOGS[locale] as Record<string, string | undefined>;
  const english = en as Record<string, string | undefined>;
  const numbers = new Intl.NumberFormat(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  return {
    locale,
    dir: locale === 'ar' ? 'rtl' : 'ltr',
    t: (key, params = {}) => format(catalog[key] ?? english[key] ?? key, params, numbers),
    dynamic: (key, fallback) => catalog[key] ?? english[key] ?? fallback,
    dateTime: (iso) => (iso ? dates.format(new Date(iso)) : '—'),
    number: (value, maximumFractionDigits = 3) =>
      new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value),
  };
}
