import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api';
import type { OperatorSession } from './api-types';
import type { Translator } from './i18n';
import type { Route } from './navigation';

/** What every page needs: the API client, the translator, the signed-in operator, and navigation. */
export interface DashboardContext {
  api: ApiClient;
  i18n: Translator;
  session: OperatorSession;
  navigate(route: Route | string, opts?: { replace?: boolean }): void;
}

export const Dashboard = createContext<DashboardContext | null>(null);

export function useDashboard(): DashboardContext {
  const value = useContext(Dashboard);
  if (!value) throw new Error('useDashboard outside the signed-in app');
  return value;
}
