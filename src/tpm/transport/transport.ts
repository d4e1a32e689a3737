/**
 * A transport is one method (go-tpm's `transport.TPM`): send a marshalled command, receive the
 * marshalled response. Framing, device files, sockets and TBS live behind it; the executor never
 * knows which TPM it talks to.
 */
export interface Transport {
  send(command: Uint8Array): Promise<Uint8Array>;
  /** Releases the connection or device. Idempotent. */
  close(): Promise<void>;
  /** Where this transport goes, for messages (e.g. `swtpm://127.0.0.1:2321`). Never contains secrets. */
  readonly description: string;
}

export interface TransportOptions {
  /**
   * How long one command may take before we give up (ms). RSA key generation on a slow
   * discrete TPM takes tens of seconds, so the default is generous; a TPM that never answers
   * still ends in a TransportError instead of a hang.
   */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** The largest response we accept. TPM_PT_MAX_RESPONSE_SIZE is 4096 on PC TPMs; anything far above is garbage. */
export const MAX_RESPONSE_SIZE = 64 * 1024;
