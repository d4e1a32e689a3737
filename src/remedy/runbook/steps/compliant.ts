// Source: Graph managedDevice.complianceState. Device Health Attestation measures BitLocker and
// Secure Boot at boot, so compliance may need one more restart (docs/triage.md, docs/clear.md).
import { done, failed, type RunbookStep, waiting } from '../step.js';

const COMPLIANT = 'compliant';

/** complianceState values that waiting will not fix. */
const BROKEN = new Set(['error', 'conflict']);

/**
 * Done when Intune reports the device compliant. Without fleet credentials tpm-doctor cannot ask
 * Intune, and the device itself does not know its compliance state: the step is then recorded done
 * with `checked: false` (and says so), rather than blocking the last step (the PIN) on something
 * nobody at the device can check. The journal keeps the difference, so a receipt or `tpm-doctor
 * runs` never claims a compliance that was not seen.
 */
export function compliantStep(): RunbookStep {
  return {
    id: COMPLIANT,
    title: 'Compliant in Intune',
    instruction:
      'Intune re-evaluates compliance after the sync; BitLocker and Secure Boot are measured at boot, so one more restart may be needed. ' +
      'Check the device in the Company Portal app (or with your IT team).',
    async check(ctx) {
      const id = ctx.facts.managedDeviceId;
      if (ctx.graph === undefined || id === undefined) {
        return done(
          'Compliance not checked: tpm-doctor has no fleet credentials for Intune. Check the device in the Company Portal app.',
          { checked: false, reason: ctx.graph === undefined ? 'no-graph' : 'no-managed-device-id' },
        );
      }
      const state = await ctx.graph.complianceState(id);
      const evidence = { checked: true, managedDeviceId: id, complianceState: state };
      if (state === 'compliant') return done('Intune reports the device compliant.', evidence);
      if (BROKEN.has(state)) {
        return failed(
          `Intune reports complianceState "${state}".`,
          evidence,
          'Look at the failing settings of the device in Intune (Devices > this device > Device compliance).',
        );
      }
      return waiting(
        `Intune reports complianceState "${state}"; it is re-evaluated after the next sync and attestation.`,
        evidence,
        'Restart the PC once more (health attestation is measured at boot), keep it awake, then run tpm-doctor resume.',
      );
    },
  };
}
