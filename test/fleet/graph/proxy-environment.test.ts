/**
 * The proxy environment variables as curl reads them (curl(1), "ENVIRONMENT"): which variable
 * serves which URL, and which NO_PROXY entry sends a host around the proxy.
 */
import { describe, expect, it } from 'vitest';
import { ProxyConfigurationError, proxyEnvironment } from '../../../src/fleet/graph/proxy-environment.js';

const GRAPH = new URL('https://graph.microsoft.com/v1.0/deviceManagement/managedDevices');
const LOGIN = new URL('https://login.microsoftonline.com/t/oauth2/v2.0/token');
const LAB = new URL('http://127.0.0.1:4780/v1.0/deviceManagement/managedDevices');

describe('proxy variables', () => {
  it('https URLs take https_proxy/HTTPS_PROXY, http URLs http_proxy/HTTP_PROXY, either falls back to ALL_PROXY', () => {
    const env = proxyEnvironment({ HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:8080' });
    expect(env.proxyFor(GRAPH)?.url.href).toBe('http://secure:3128/');
    expect(env.proxyFor(GRAPH)?.variable).toBe('HTTPS_PROXY');
    expect(env.proxyFor(LAB)?.url.href).toBe('http://plain:8080/');
    const all = proxyEnvironment({ ALL_PROXY: 'http://every:1' });
    expect(all.proxyFor(GRAPH)?.url.href).toBe('http://every:1/');
    expect(all.proxyFor(LAB)?.url.href).toBe('http://every:1/');
    expect(proxyEnvironment({ HTTP_PROXY: 'http://plain:8080' }).proxyFor(GRAPH)).toBeUndefined();
    expect(proxyEnvironment({}).proxyFor(GRAPH)).toBeUndefined();
  });

  it('the lower-case variable wins, a value without a scheme is http://, credentials become Proxy-Authorization', () => {
    const env = proxyEnvironment({
      https_proxy: 'user%40corp:p%3Ass@lower:3128',
      HTTPS_PROXY: 'http://upper:1',
    });
    const proxy = env.proxyFor(GRAPH);
    expect(proxy?.variable).toBe('https_proxy');
    expect(proxy?.url.href).toBe('http://lower:3128/');
    expect(proxy?.authorization).toBe(`Basic ${Buffer.from('user@corp:p:ss').toString('base64')}`);
    expect(
      proxyEnvironment({ HTTPS_PROXY: 'http://open:3128' }).proxyFor(GRAPH)?.authorization,
    ).toBeUndefined();
  });

  it('an unusable proxy variable is an error naming the variable and never its credentials', () => {
    expect(() => proxyEnvironment({ HTTPS_PROXY: 'socks5://user:hunter2@host:1080' })).toThrow(
      ProxyConfigurationError,
    );
    expect(() => proxyEnvironment({ HTTPS_PROXY: 'socks5://user:hunter2@host:1080' })).toThrow(
      /^HTTPS_PROXY/,
    );
    try {
      proxyEnvironment({ https_proxy: 'http://user:hunter2@[bad' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/^https_proxy is not a proxy URL/);
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('NO_PROXY', () => {
  const proxied = (noProxy: string, url: URL) =>
    proxyEnvironment({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy }).proxyFor(
      url,
    ) !== undefined;

  it('a host name covers itself and its subdomains, with or without a leading dot, never a mere suffix', () => {
    expect(proxied('microsoft.com', GRAPH)).toBe(false);
    expect(proxied('.microsoft.com', GRAPH)).toBe(false);
    expect(proxied('graph.microsoft.com', GRAPH)).toBe(false);
    expect(proxied('soft.com', GRAPH)).toBe(true);
    expect(proxied('microsoftonline.com', GRAPH)).toBe(true);
    expect(proxied('microsoftonline.com', LOGIN)).toBe(false);
    expect(proxied('GRAPH.Microsoft.com', GRAPH)).toBe(false);
  });

  it('addresses, CIDR ranges, ports and *', () => {
    expect(proxied('127.0.0.1', LAB)).toBe(false);
    expect(proxied('127.0.0.0/8', LAB)).toBe(false);
    expect(proxied('10.0.0.0/8', LAB)).toBe(true);
    expect(proxied('127.0.0.1:4780', LAB)).toBe(false);
    expect(proxied('127.0.0.1:9999', LAB)).toBe(true);
    expect(proxied('graph.microsoft.com:443', GRAPH)).toBe(false);
    expect(proxied('*', GRAPH)).toBe(false);
    expect(proxied('[::1]', new URL('http://[::1]:4780/'))).toBe(false);
    expect(proxied('::1', new URL('http://[::1]:4780/'))).toBe(false);
    expect(proxied('example.org, 127.0.0.1', LAB)).toBe(false);
    expect(proxied('', LAB)).toBe(true);
  });

  it('no_proxy (lower case) is read too', () => {
    expect(
      proxyEnvironment({ HTTP_PROXY: 'http://p:1', no_proxy: '127.0.0.1' }).proxyFor(LAB),
    ).toBeUndefined();
  });
});
