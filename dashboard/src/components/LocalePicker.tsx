import { LOCALE_NAMES, LOCALES, type Locale, type Translator } from '../i18n';

/** The language picker (names in their own language, each marked with its `lang`). */
export function LocalePicker(props: { i18n: Translator; locale: Locale; onLocale(locale: Locale): void }) {
  return (
    <label class="locale-picker">
      <span>{props.i18n.t('app.language')}</span>
      <select
        value={props.locale}
        data-control="locale"
        onChange={(event) => props.onLocale((event.currentTarget as HTMLSelectElement).value as Locale)}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
    </label>
  );
}
