/**
 * An escrow verification a fleet clear campaign hands to the device (`tpm-doctor clear
 * --escrow-verified IDS --escrow-verified-at ISO --escrow-verified-by CAMPAIGN`): the campaign
 * read the device's recovery keys in Entra ID (Graph bitlockerRecoveryKey, whose `id` is the
 * RecoveryPassword protector's KeyProtectorId without braces) and matched them with the
 * protectors the device's own evidence listed (src/fleet/triage/clear-safety.ts). A device has
 * no Graph credentials, so this is how the fact reaches its gate; the gate accepts it only when
 * the IDs are recovery-password protectors the device itself reads for its OS volume now
 * (backup.ts), with the approval the campaign ran under, and while the verification is recent.
 */
export interface EscrowVerification {
  /** Recovery-password protector IDs found escrowed in Entra ID: lower-case GUIDs, no braces. */
  protectorIds: readonly string[];
  /** When the campaign verified them (ISO 8601, UTC). */
  verifiedAt: string;
  /** The campaign that verified them. */
  verifiedBy: string;
}

/**
 * How old a verification may be when the device's gate judges it. A clear campaign tracks its
 * devices for 24 h by default (src/fleet/campaign/create-campaign.ts DEFAULT_DEADLINE_MS), the
 * same limit bundle evidence has (freshness.ts): a key deleted from Entra ID after that is not
 * seen, so an older verification is refused and the campaign must be created again.
 */
const MAX_ESCROW_VERIFICATION_AGE_HOURS = 24;

/** Clock skew tolerated between the campaign's machine and the device (Windows time sync is loose). */
const ESCROW_VERIFICATION_SKEW_MINUTES = 5;

/** A protector ID as Entra ID files it: a GUID, nothing else (it goes into a SYSTEM script). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** UTC ISO 8601 as Date.prototype.toISOString writes it (milliseconds optional). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** A campaign id: "c-20250601-142233-a1b2c3", or a name given with --id. */
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * The flags, all three or none; strict shapes, so that nothing but IDs, a time and a name can
 * reach the gate (or, campaign side, the PowerShell script). A wrong value is a wrong command
 * line: the CLI (and the lab) turn the returned error into a usage error, exit 2.
 */
export function parseEscrowVerification(flags: {
  ids: string | undefined;
  at: string | undefined;
  by: string | undefined;
}): { verification: EscrowVerification | undefined } | { error: string } {
  const given = [flags.ids, flags.at, flags.by].filter((v) => v !== undefined).length;
  if (given === 0) return { verification: undefined };
  if (given !== 3) {
    return {
      error:
        '--escrow-verified, --escrow-verified-at and --escrow-verified-by go together: the protector IDs, when and by which campaign they were verified',
    };
  }
  const protectorIds = (flags.ids ?? '').split(',').map((s) => s.trim().toLowerCase());
  const bad = protectorIds.find((id) => !GUID.test(id));
  if (bad !== undefined) {
    return {
      error: `--escrow-verified: expected recovery-password protector IDs (GUIDs, comma-separated, no braces), got ${JSON.stringify(bad.slice(0, 40))}`,
    };
  }
  const verifiedAt = flags.at ?? '';
  if (!ISO_UTC.test(verifiedAt) || Number.isNaN(Date.parse(verifiedAt))) {
    return {
      error: `--escrow-verified-at: expected a UTC time like 2026-01-31T12:00:00Z, got ${JSON.stringify(verifiedAt.slice(0, 40))}`,
    };
  }
  const verifiedBy = flags.by ?? '';
  if (!CAMPAIGN_ID.test(verifiedBy)) {
    return {
      error: `--escrow-verified-by: expected a campaign id (letters, digits, . _ : -), got ${JSON.stringify(verifiedBy.slice(0, 40))}`,
    };
  }
  return { verification: { protectorIds: [...new Set(protectorIds)], verifiedAt, verifiedBy } };
}

/** True when every part has the shape parseEscrowVerification accepts (the campaign checks before writing a script). */
export function isWellFormedVerification(v: EscrowVerification): boolean {
  return (
    v.protectorIds.length > 0 &&
    v.protectorIds.every((id) => GUID.test(id)) &&
    ISO_UTC.test(v.verifiedAt) &&
    CAMPAIGN_ID.test(v.verifiedBy)
  );
}

/**
 * Why a verification is too old or from the future at `now` (the snapshot's time), or null when
 * its age is acceptable.
 */
export function verificationAgeProblem(v: EscrowVerification, now: string): string | null {
  const at = Date.parse(v.verifiedAt);
  const taken = Date.parse(now);
  if (Number.isNaN(at) || Number.isNaN(taken)) {
    return `its time "${v.verifiedAt}" cannot be compared with this check's time "${now}"`;
  }
  const ageMs = taken - at;
  if (ageMs < -ESCROW_VERIFICATION_SKEW_MINUTES * 60_000) {
    return `it says it was made at ${v.verifiedAt}, after this check's time ${now} (a clock is wrong, or the script was altered)`;
  }
  if (ageMs > MAX_ESCROW_VERIFICATION_AGE_HOURS * 3_600_000) {
    return `it was made at ${v.verifiedAt}, ${Math.floor(ageMs / 3_600_000)} h ago (the limit is ${MAX_ESCROW_VERIFICATION_AGE_HOURS} h): a key may have been deleted from Entra ID since; start a new campaign`;
  }
  return null;
}
