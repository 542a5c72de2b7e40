import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApplicantApi } from './api';
import { translator, type Translator } from './i18n';

/** What every screen needs: the translator and the API bound to this link's token. */
export interface FlowContext {
  i18n: Translator;
  api: ApplicantApi | null;
  /** Announces a message in the page's polite live region (screen readers). */
  announce(message: string): void;
}

export const Flow = createContext<FlowContext>({ i18n: translator('en'), api: null, announce: () => undefined });

export function useFlow(): FlowContext {
  return useContext(Flow);
}
