/** A request's URL as a log line may hold it: a client's 16 KB query string is not logged whole. */
export function logUrl(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}... (${url.length} characters)` : url;
}
