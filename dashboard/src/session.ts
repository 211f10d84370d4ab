import { computed, signal } from '@preact/signals';

/** The signed-in key, kept for this tab only (sessionStorage), and whether it is the admin key. */
export const sessionKey = signal(sessionStorage.getItem('opensq.key') ?? '');
export const isAdmin = signal(sessionStorage.getItem('opensq.admin') === 'true');
export const signedIn = computed(() => sessionKey.value !== '');

export function signIn(key: string, admin: boolean): void {
  sessionStorage.setItem('opensq.key', key);
  sessionStorage.setItem('opensq.admin', String(admin));
  sessionKey.value = key;
  isAdmin.value = admin;
}

export function signOut(): void {
  sessionStorage.removeItem('opensq.key');
  sessionStorage.removeItem('opensq.admin');
  sessionKey.value = '';
  isAdmin.value = false;
}
