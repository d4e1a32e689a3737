import { AmbiguousWriteError, GraphError } from '../graph/graph-error.js';
import type { BulkManagedDeviceActionResult } from '../graph/graph-types.js';
import type { PostOutcome } from './post-outcome.js';

/**
 * What executeAction's answer (bulkManagedDeviceActionResult, beta) means for each device it was
 * sent: listed in `successfulDeviceIds` → posted; in `failedDeviceIds`, `notFoundDeviceIds` or
 * `notSupportedDeviceIds` → failed, with which list as the reason (Microsoft describes them only as
 * "Failed devices", "Not found devices", "Not supported devices":
 * https://learn.microsoft.com/graph/api/resources/intune-devices-bulkmanageddeviceactionresult?view=graph-rest-beta).
 * A device the answer does not list, or lists more than once, may have been acted on: unconfirmed,
 * tracked, never sent again. Ids are compared without regard to case (Intune's ids are GUIDs).
 */
export function bulkOutcomes(
  sent: readonly string[],
  result: BulkManagedDeviceActionResult,
): Map<string, PostOutcome> {
  const listed = new Map<string, (keyof BulkManagedDeviceActionResult)[]>();
  for (const list of LISTS) {
    for (const id of result[list]) {
      const key = id.toLowerCase();
      listed.set(key, [...(listed.get(key) ?? []), list]);
    }
  }
  const outcomes = new Map<string, PostOutcome>();
  for (const deviceId of sent) {
    const lists = listed.get(deviceId.toLowerCase()) ?? [];
    const [only] = lists;
    if (lists.length !== 1 || only === undefined) {
      outcomes.set(deviceId, {
        kind: 'ambiguous',
        error:
          lists.length === 0
            ? 'executeAction answered without listing this device: Graph may have acted; not sent again'
            : `executeAction listed this device in ${lists.join(' and ')}: Graph may have acted; not sent again`,
        stopRun: false,
      });
      continue;
    }
    outcomes.set(
      deviceId,
      only === 'successfulDeviceIds' ? { kind: 'posted' } : { kind: 'refused', error: REASONS[only] },
    );
  }
  return outcomes;
}

const LISTS = [
  'successfulDeviceIds',
  'failedDeviceIds',
  'notFoundDeviceIds',
  'notSupportedDeviceIds',
] as const satisfies readonly (keyof BulkManagedDeviceActionResult)[];

const REASONS = {
  failedDeviceIds:
    'executeAction: the action failed for this device (failedDeviceIds; Graph gives no reason)',
  notFoundDeviceIds: 'executeAction: device not found (notFoundDeviceIds): no longer managed by Intune',
  notSupportedDeviceIds: 'executeAction: action not supported on this device (notSupportedDeviceIds)',
} as const;

/**
 * HTTP statuses with which Graph refuses executeAction as a whole request, so that it acted on no
 * device (Microsoft Graph error responses, https://learn.microsoft.com/graph/errors): 400 "cannot
 * process the request because it's malformed or incorrect" (the beta action changed, or a
 * parameter it no longer takes), 403 "access to the requested resource is denied" (the app's
 * permission or its Intune role does not allow the bulk action), 404 "the requested resource
 * doesn't exist" (the action is not served here), 405 "the HTTP method in the request isn't
 * allowed on the resource", 501 "the requested feature isn't implemented". The devices go back
 * to `pending` and the campaign posts them, and the rest, one by one. Not these: 429 and 503
 * (Graph did not process it now; the client retried, and past that the run stops with the
 * devices pending, as for a single POST), and 500/502/504 or a lost answer (Graph may have acted:
 * every device of the call is unconfirmed, never sent again).
 */
const REFUSED_AS_A_WHOLE: ReadonlySet<number> = new Set([400, 403, 404, 405, 501]);

/** True when Graph refused executeAction as a request: nothing acted, per-device POSTs may follow. */
export function isBulkRefusal(error: unknown): error is GraphError {
  return (
    error instanceof GraphError &&
    !(error instanceof AmbiguousWriteError) &&
    REFUSED_AS_A_WHOLE.has(error.status)
  );
}
