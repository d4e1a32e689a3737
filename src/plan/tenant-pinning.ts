/**
 * Which tenant something belongs to. `display` is what people read and what older builds stored
 * (the Graph origin and the tenant as the flags named it, e.g. "https://graph.microsoft.com tenant
 * contoso.onmicrosoft.com"); `key` is the tenant's own identity learnt after sign-in (its Entra
 * tenant id, the `tid` claim; a lab's own id), absent before sign-in and in records an older build
 * wrote.
 */
export interface TenantIdentity {
  display: string;
  key?: string | undefined;
}

/** What is pinned to a tenant: a triage run, or a campaign. */
export type PinnedRecord = { kind: 'triage'; id: number } | { kind: 'campaign'; id: string };

/**
 * A fleet campaign acts only in its own tenant: it selects devices from a triage of that tenant,
 * and resumes only there. One store can hold several tenants (a lab and production, two tenants
 * of an MSP); device ids of one tenant mean nothing, or something else, in another.
 *
 * When both sides know the tenant's own key, the keys decide: with managed identity every tenant's
 * display string is the same, the key is not. Otherwise (a check made before sign-in, or a record
 * of an older build that stored only the display string) the display strings decide, as they
 * always did. Returns why `current` must not act on `record`, or undefined when it may.
 */
export function tenantPinRefusal(
  record: PinnedRecord,
  recorded: TenantIdentity,
  current: TenantIdentity,
): string | undefined {
  const bothKeyed = recorded.key !== undefined && current.key !== undefined;
  const same = bothKeyed ? recorded.key === current.key : recorded.display === current.display;
  if (same) return undefined;
  // Equal display strings with different keys (managed identity): name the tenants by their ids.
  const name = (tenant: TenantIdentity) =>
    bothKeyed && recorded.display === current.display
      ? `${tenant.display} [tenant ${tenant.key}]`
      : tenant.display;
  return record.kind === 'triage'
    ? `triage run ${record.id} is of ${name(recorded)}, not of ${name(current)}: a campaign acts only on devices triaged in its own tenant`
    : `campaign ${record.id} runs in ${name(recorded)}, not in ${name(current)}: give the connection options it was created with`;
}
