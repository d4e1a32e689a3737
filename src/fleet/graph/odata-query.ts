/**
 * OData query building. String literals escape a single quote by doubling it (OData v4 URL
 * Conventions §5.1.1.6.1 / ABNF `SQUOTE-in-string = SQUOTE SQUOTE`), so a device or script name
 * holding a quote cannot end the literal early and change the filter.
 */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * `path?$name=value&...`, values percent-encoded with encodeURIComponent (spaces as %20: Graph
 * does not read '+' as a space in every query option). Names are OData system options, sent as is.
 */
export function withQuery(path: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return query.length > 0 ? `${path}?${query}` : path;
}
