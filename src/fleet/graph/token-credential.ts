/**
 * The token source the Graph client needs: structurally the `TokenCredential` of @azure/core-auth,
 * so every @azure/identity credential fits without this module importing the SDK (start-up cost:
 * @azure/identity is loaded only by credentials.ts, and only when a fleet command runs).
 */
export interface AccessToken {
  token: string;
  /** Epoch milliseconds. */
  expiresOnTimestamp: number;
}

export interface TokenCredential {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<AccessToken | null>;
}

/** Entra ID's public cloud; a national cloud or the lab is given instead (AZURE_AUTHORITY_HOST). */
export const ENTRA_AUTHORITY_HOST = 'https://login.microsoftonline.com';
