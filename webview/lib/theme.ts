/**
 * Theme: inside VS Code the page only uses `--vscode-*` variables, which VS Code sets; in the
 * browser `media/theme.css` defines the same variables for a light and a dark theme. Charts read
 * the variables and redraw when `themeTick` changes.
 */
import { signal } from '@preact/signals';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'agentmonitor.theme';

export const themeTick = signal(0);
export const themeChoice = signal<ThemeChoice>('system');

export function cssVar(name: string, fallback = ''): string {
  const v = getComputedStyle(document.body ?? document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

const SERIES_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];

/** Series colours from the theme; more series than variables cycle through them. */
export function seriesColors(n: number): string[] {
  const base = SERIES_VARS.map((v) => cssVar(v, '#888'));
  return Array.from({ length: n }, (_, i) => base[i % base.length]);
}

export function chartColors(): { foreground: string; grid: string; background: string } {
  return {
    foreground: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#888')),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.25)'),
    background: cssVar('--vscode-editor-background', 'transparent'),
  };
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function resolveTheme(choice: ThemeChoice): 'light' | 'dark' {
  return choice === 'system' ? (darkQuery().matches ? 'dark' : 'light') : choice;
}

export function applyThemeChoice(choice: ThemeChoice): void {
  themeChoice.value = choice;
  document.documentElement.dataset.theme = resolveTheme(choice);
  try {
    localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    /* storage unavailable */
  }
  themeTick.value++;
}

export function initTheme(host: 'browser' | 'vscode'): void {
  if (host === 'browser') {
    document.documentElement.classList.add('am-browser');
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(STORAGE_KEY);
    } catch {
      /* storage unavailable */
    }
    applyThemeChoice(saved === 'light' || saved === 'dark' ? saved : 'system');
    darkQuery().addEventListener('change', () => {
      if (themeChoice.value === 'system') applyThemeChoice('system');
    });
  } else {
    // VS Code swaps body classes and variables when the colour theme changes.
    new MutationObserver(() => themeTick.value++).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  }
}
