import { handleType, TPM_HT } from '../constants/handles.js';
import { hex32 } from '../constants/lookup.js';
import type { Session } from './session.js';

const EMPTY = new Uint8Array(0);

/** Handle types whose Name is the handle itself (Part 1 §16 "Names"): PCRs, sessions, permanent handles. */
const NAMED_BY_HANDLE: ReadonlySet<number> = new Set([
  TPM_HT.PCR,
  TPM_HT.HMAC_SESSION,
  TPM_HT.POLICY_SESSION,
  TPM_HT.PERMANENT,
]);

/**
 * The Name of a handle when the handle alone fixes it (Part 1 §16: the Name of a PCR, a session
 * or a permanent handle is the handle, big-endian), else empty: the Name of an NV index or an
 * object is a digest of its public area, which only the caller can supply (TPM2_NV_ReadPublic,
 * TPM2_ReadPublic).
 */
export function nameOfHandle(handle: number): Uint8Array {
  if (!NAMED_BY_HANDLE.has(handleType(handle))) return EMPTY;
  const name = new Uint8Array(4);
  new DataView(name.buffer).setUint32(0, handle);
  return name;
}

/**
 * HMAC and policy sessions bind every handle of the command by its Name (Part 1 "Command
 * Parameter Hash (cpHash)": H(commandCode || Name1 || Name2 || ... || parameters)). Without a
 * Name the session would authorise a cpHash the TPM does not compute, and the TPM's
 * TPM_RC_AUTH_FAIL could count a dictionary-attack failure. So refuse before anything is sent.
 * Password sessions ignore cpHash.
 */
export function requireHandleNames(
  command: string,
  handles: readonly { slot: string; handle: number; name: Uint8Array }[],
  sessions: readonly Session[],
): void {
  const session = sessions.find((s) => s.kind !== 'password');
  if (!session) return;
  const unnamed = handles.find((h) => h.name.length === 0);
  if (!unnamed) return;
  throw new TypeError(
    `${command}: handle ${unnamed.slot} (${hex32(unnamed.handle)}) has no Name, and the ${session.kind} ` +
      'session needs the Name of every handle to compute cpHash (TPM 2.0 Part 1 §16); pass { handle, name } with the Name from TPM2_ReadPublic or TPM2_NV_ReadPublic',
  );
}
