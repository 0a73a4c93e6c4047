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

/** Most series a chart can show in distinct colours; views fold the rest into "Other". */
export const MAX_DISTINCT_SERIES = SERIES_VARS.length * 3;

/**
 * CSS colours of `n` series: the theme's six chart colours, then the same six mixed toward the
 * background, then toward the foreground (`color-mix`, theme variables only), so no colour repeats
 * within `MAX_DISTINCT_SERIES`.
 */
export function seriesColorExpressions(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const base = `var(${SERIES_VARS[i % SERIES_VARS.length]}, #888)`;
    const round = Math.floor(i / SERIES_VARS.length) % 3;
    if (round === 0) return base;
    const toward = round === 1 ? 'var(--vscode-editor-background, #fff)' : 'var(--vscode-foreground, #000)';
    return `color-mix(in srgb, ${base} 55%, ${toward})`;
  });
}

let probe: HTMLSpanElement | null = null;

/** A CSS colour expression resolved to what the canvas can draw (`rgb(...)`). */
function resolveColor(expr: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.hidden = true;
    document.body.appendChild(probe);
  }
  probe.style.color = '';
  probe.style.color = expr;
  return getComputedStyle(probe).color || '#888';
}

/** Series colours from the theme, distinct for up to `MAX_DISTINCT_SERIES` series. */
export function seriesColors(n: number): string[] {
  return seriesColorExpressions(n).map(resolveColor);
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
