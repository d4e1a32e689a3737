// Reference for `npm run bench` (fleet triage): the least work that reads a fleet once, with
// plain fetch: a client-credentials token from the lab tenant, then every managedDevices page with
// the same $select as tpm-doctor, each parsed and dropped. It prints its own CPU time and peak
// memory. Usage: LAB_SECRET=... node graph-list-pages.mjs BASE_URL TENANT_ID CLIENT_ID
const [base, tenant, clientId] = process.argv.slice(2);
const tokenResponse = await fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: process.env.LAB_SECRET ?? '',
    scope: 'https://graph.microsoft.com/.default',
  }),
});
const { access_token: token } = await tokenResponse.json();
const select =
  'id,deviceName,azureADDeviceId,operatingSystem,osVersion,complianceState,lastSyncDateTime,isEncrypted,managementAgent,deviceRegistrationState,userPrincipalName,serialNumber,manufacturer,model';
let url = `${base}/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("operatingSystem eq 'Windows'")}&$select=${select}&$top=1000`;
let devices = 0;
let requests = 0;
while (url) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  requests++;
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  const page = await response.json();
  devices += page.value.length;
  url = page['@odata.nextLink'];
}
const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
console.log(JSON.stringify({ devices, requests, userCPUTime, systemCPUTime, maxRSS }));
