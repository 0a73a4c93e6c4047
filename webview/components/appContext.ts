import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AppState } from '../data/appState';

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error('AppContext missing');
  return app;
}
