export function listening(url: string, defaultPort: number): Promise<boolean>;
export function where(url: string, defaultPort: number): string;
export const POSTGRES_ADMIN_URL: string;
export const REDIS_URL: string;
export function servicesMissing(): Promise<{ postgres: string | undefined; redis: string | undefined }>;
