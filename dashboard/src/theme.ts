import { signal } from '@preact/signals';

/** The colour theme, `light` or `dark`: the saved choice, else the system's. Charts redraw on change. */
export const theme = signal(localStorage.getItem('opensq.theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));

function applyTheme(): void {
  document.documentElement.dataset.theme = theme.value;
}
applyTheme();

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  localStorage.setItem('opensq.theme', theme.value);
  applyTheme();
}
