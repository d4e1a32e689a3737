import { TpmDoctorError } from '../../errors.js';
import { TPM_RH } from '../constants/handles.js';
import {
  baseCode,
  type DecodedResponseCode,
  decodeResponseCode,
  formatResponseCode,
  RC,
} from './decode-response-code.js';

export interface TpmErrorContext {
  /** The command's spec name, e.g. 'TPM2_Clear'. */
  readonly command: string;
  readonly commandCode: number;
  /** The handles that were authorised, in order. */
  readonly authHandles: readonly number[];
  /** TPM_PT_LOCKOUT_RECOVERY, when known (./lockout-recovery.ts reads it after TPM_RC_LOCKOUT on a lockout-authorised command). */
  readonly lockoutRecoverySeconds?: number;
}

/**
 * The TPM answered with a non-zero response code. The one error class for every TPM 2.0 code
 * (go-tpm's TPMRC): it knows the code's name (`decoded.name`, e.g. 'TPM_RC_AUTH_FAIL'), whether it
 * is a warning, and for format-one codes the handle, session or parameter it refers to.
 */
export class TpmError extends TpmDoctorError {
  readonly responseCode: number;
  readonly decoded: DecodedResponseCode;
  readonly command: string;
  readonly commandCode: number;
  /** The handles the command authorised, in order. */
  readonly authHandles: readonly number[];
  /** True when TPM_RC_LOCKOUT came back on a lockout-authorised command: the lockout authorisation itself is blocked. */
  readonly lockoutAuthBlocked: boolean;
  readonly lockoutRecoverySeconds: number | undefined;

  constructor(responseCode: number, context: TpmErrorContext) {
    const decoded = decodeResponseCode(responseCode);
    const lockoutAuthBlocked = decoded.base === RC.LOCKOUT && context.authHandles.includes(TPM_RH.LOCKOUT);
    super('tpm-response', `${context.command}: ${explain(responseCode, lockoutAuthBlocked, context)}`);
    this.responseCode = responseCode >>> 0;
    this.decoded = decoded;
    this.command = context.command;
    this.commandCode = context.commandCode;
    this.authHandles = context.authHandles;
    this.lockoutAuthBlocked = lockoutAuthBlocked;
    this.lockoutRecoverySeconds = context.lockoutRecoverySeconds;
  }

  /**
   * Whether the TPM answered with one of these codes, e.g. `error.is(RC.LOCKOUT)`. A format-one code
   * matches whichever handle, session or parameter it names: `is(RC.AUTH_FAIL)` holds for 0x98E
   * (session 1) and a bare 0x08E alike (Part 2 §6.6.2). A format-zero code, warnings included,
   * matches exactly.
   */
  is(...codes: readonly number[]): boolean {
    return codes.some((code) => baseCode(code) === this.decoded.base);
  }

  get isWarning(): boolean {
    return this.decoded.kind === 'warning';
  }

  /** The base code without its handle/session/parameter index, for comparisons (0x98E -> 0x08E). */
  get base(): number {
    return this.decoded.base;
  }
}

function explain(rc: number, lockoutAuthBlocked: boolean, context: TpmErrorContext): string {
  const decoded = decodeResponseCode(rc);
  if (decoded.base === RC.AUTH_FAIL && decoded.subject === undefined) {
    // libtpms answers a lockout-authorised ClearControl(NO) with a bare 0x08E: no session is
    // named and no DA failure is counted, so the usual AUTH_FAIL sentence would mislead.
    return (
      `TPM_RC_AUTH_FAIL (0x${(rc >>> 0).toString(16)}): the TPM refused the authorization without naming a ` +
      'session; usually the authorizing hierarchy may not perform this operation (for example lockout ' +
      'asking to clear disableClear, which only platform may do), not a wrong password.'
    );
  }
  if (!lockoutAuthBlocked) return formatResponseCode(rc);
  // Part 1 §19.8.6 / Part 3 §25: one failed lockoutAuth blocks every lockout-authorised command
  // for TPM_PT_LOCKOUT_RECOVERY seconds, and TPMA_PERMANENT.inLockout stays 0 meanwhile
  // (verified on swtpm; tpm2-tools issues #2257, #3348). Say so, since the flags alone hide it.
  const seconds =
    context.lockoutRecoverySeconds === undefined
      ? 'TPM_PT_LOCKOUT_RECOVERY seconds'
      : `TPM_PT_LOCKOUT_RECOVERY seconds (${context.lockoutRecoverySeconds} s on this TPM)`;
  return (
    `TPM_RC_LOCKOUT (0x${(rc >>> 0).toString(16)}): lockout authorization is blocked for ${seconds} ` +
    'after a wrong lockout authorization value, even when inLockout is 0. Wait that long without ' +
    'another attempt (the timer restarts after a power loss on some TPMs), then retry with the right ' +
    'value; a TPM clear cannot be authorised through lockout until then.'
  );
}
