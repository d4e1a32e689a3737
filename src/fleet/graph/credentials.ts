import { LabCredential } from './lab-credential.js';
import type { FetchLike } from './proxy-fetch.js';
import type { TokenCredential } from './token-credential.js';

/** The env var holding a client secret. Never a flag: command lines are visible to every user in `ps`. */
const CLIENT_SECRET_ENV = 'AZURE_CLIENT_SECRET';

/** How to sign in (docs/graph-auth.md). */
export type GraphAuthOptions =
  /** App-only, client secret from AZURE_CLIENT_SECRET. */
  | { mode: 'client-secret'; tenantId: string; clientId: string }
  /** App-only, certificate: a PEM file holding the private key and the certificate. */
  | { mode: 'client-certificate'; tenantId: string; clientId: string; certificatePath: string }
  /**
   * Delegated: the admin signs in in this machine's browser, which comes back to a loopback
   * listener (browser-credential.ts); `onPrompt` shows the URL (the only way when no browser opens).
   */
  | {
      mode: 'browser';
      tenantId: string;
      clientId: string;
      authorityHost: string;
      fetch: FetchLike;
      onPrompt: (prompt: { url: string; opened: boolean; redirectUri: string; timeoutMs: number }) => void;
    }
  /** Delegated: the user signs in on another device; `onPrompt` receives Entra's instructions. */
  | { mode: 'device-code'; tenantId: string; clientId: string; onPrompt: (message: string) => void }
  /** An Azure VM, container or Arc machine's managed identity (user-assigned when clientId is given). */
  | { mode: 'managed-identity'; clientId?: string }
  /** The lab tenant (plain http on loopback): secret from AZURE_CLIENT_SECRET. */
  | { mode: 'lab'; labUrl: string; tenantId: string; clientId: string; fetch?: FetchLike };

/**
 * Builds the credential for `options`. @azure/identity is imported here, lazily: it is large and
 * commands that never reach Graph (`status`, `diagnose`) must not pay for loading it.
 */
export async function createCredential(
  options: GraphAuthOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TokenCredential> {
  switch (options.mode) {
    case 'client-secret': {
      const secret = requireSecret(env);
      const { ClientSecretCredential } = await import('@azure/identity');
      return new OpaqueCredential(new ClientSecretCredential(options.tenantId, options.clientId, secret));
    }
    case 'client-certificate': {
      const { ClientCertificateCredential } = await import('@azure/identity');
      return new ClientCertificateCredential(options.tenantId, options.clientId, {
        certificatePath: options.certificatePath,
      });
    }
    case 'browser': {
      // msal-node, like @azure/identity, is loaded only when this mode is used.
      const { BrowserSignInCredential } = await import('./browser-credential.js');
      const { mode: _mode, ...browser } = options;
      return BrowserSignInCredential.create(browser);
    }
    case 'device-code': {
      const { DeviceCodeCredential } = await import('@azure/identity');
      return new DeviceCodeCredential({
        tenantId: options.tenantId,
        clientId: options.clientId,
        userPromptCallback: (info) => options.onPrompt(info.message),
      });
    }
    case 'managed-identity': {
      const { ManagedIdentityCredential } = await import('@azure/identity');
      return options.clientId
        ? new ManagedIdentityCredential({ clientId: options.clientId })
        : new ManagedIdentityCredential();
    }
    case 'lab':
      return new LabCredential({
        labUrl: options.labUrl,
        tenantId: options.tenantId,
        clientId: options.clientId,
        clientSecret: requireSecret(env),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
  }
}

/**
 * Hides the SDK credential behind a private field: @azure/identity's ClientSecretCredential keeps
 * the secret in a public property, so logging or inspecting it would print the secret.
 */
class OpaqueCredential implements TokenCredential {
  readonly #inner: TokenCredential;
  constructor(inner: TokenCredential) {
    this.#inner = inner;
  }
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }) {
    return this.#inner.getToken(scopes, options);
  }
}

function requireSecret(env: NodeJS.ProcessEnv): string {
  const secret = env[CLIENT_SECRET_ENV];
  if (!secret) {
    throw new Error(
      `a client secret is expected in the ${CLIENT_SECRET_ENV} environment variable (never a flag: ` +
        'command lines are visible to other users); set it, or use a certificate or managed identity',
    );
  }
  return secret;
}
