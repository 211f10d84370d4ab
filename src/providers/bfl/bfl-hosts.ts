/** The domains BFL's API lives on; its global endpoint hands out polling URLs on regional hosts (api.us1.bfl.ai). */
const BFL_DOMAINS = ['bfl.ai', 'bfl.ml'];

const onBflDomain = (host: string): boolean => BFL_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));

/**
 * Whether a URL BFL handed out is one of its own API hosts, polled with the key as BFL requires:
 * https on a BFL domain, when the operator's base URL is on one too (a proxy in front of BFL
 * extends no trust to them).
 */
export function isBflApiHost(url: URL, baseUrl: string | undefined): boolean {
  return url.protocol === 'https:' && !!baseUrl && URL.canParse(baseUrl) && onBflDomain(new URL(baseUrl).hostname) && onBflDomain(url.hostname);
}
