// A real SMART client against a running Fhir.Phr server: SMART's own JavaScript library
// (fhirclient) in Debian's headless Chromium, driven by playwright-core. It performs a
// standalone launch (sign-in page, consent page, code exchange with PKCE), reads the patient's
// own Patient and tries to read another patient's, then prints one line: RESULT {json}.
//
// Environment: FHIR_BASE (the server's FHIR base), CLIENT_ID (a registered public client whose
// redirect URI is http://127.0.0.1:APP_PORT/index.html), APP_PORT (where this script serves the
// app), PHR_USERNAME / PHR_PASSWORD (a patient account), OTHER_PATIENT (someone else's Patient id),
// CHROMIUM (the browser binary, default /usr/bin/chromium).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const env = process.env;
for (const name of ['FHIR_BASE', 'CLIENT_ID', 'APP_PORT', 'PHR_USERNAME', 'PHR_PASSWORD', 'OTHER_PATIENT']) {
  if (!env[name]) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
}
const fhirBase = env.FHIR_BASE;
const appPort = Number(env.APP_PORT);
const appOrigin = `http://127.0.0.1:${appPort}`;

const launchPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test app: launch</title><script src="/fhir-client.js"></script></head>
<body><p id="status">Launching…</p><script>
  FHIR.oauth2.authorize({
    iss: ${JSON.stringify(fhirBase)},
    clientId: ${JSON.stringify(env.CLIENT_ID)},
    scope: "launch/patient openid fhirUser patient/*.rs",
    redirectUri: "/index.html",
    pkceMode: "required"
  }).catch(e => { document.getElementById("status").textContent = "error: " + e.message; });
</script></body></html>`;

const appPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test app</title><script src="/fhir-client.js"></script></head>
<body><pre id="result"></pre><script>
  const show = value => { document.getElementById("result").textContent = JSON.stringify(value); };
  FHIR.oauth2.ready().then(async client => {
    const own = await client.patient.read();
    let other;
    try {
      await client.request("Patient/" + ${JSON.stringify(env.OTHER_PATIENT)});
      other = "allowed";
    } catch (e) {
      other = "refused " + (e.status || e.statusCode || e.message);
    }
    show({
      patient: client.patient.id,
      resourceType: own.resourceType,
      ownId: own.id,
      other,
      fhirUser: client.getFhirUser(),
      hasIdToken: !!client.getIdToken(),
      scope: client.state.tokenResponse.scope,
      tokenType: client.state.tokenResponse.token_type
    });
  }).catch(e => show({ error: String(e && e.message || e) }));
</script></body></html>`;

const clientBundle = await readFile(require.resolve('fhirclient/build/fhir-client.js'));
const server = http.createServer((request, response) => {
  const path = new URL(request.url, appOrigin).pathname;
  const pages = { '/launch.html': launchPage, '/index.html': appPage };
  if (pages[path]) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(pages[path]);
  } else if (path === '/fhir-client.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript' });
    response.end(clientBundle);
  } else {
    response.writeHead(404);
    response.end();
  }
});
await new Promise(resolve => server.listen(appPort, '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
const steps = [];
let exitCode = 1;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(`${appOrigin}/launch.html`);

  // The server's sign-in page, found by its labels as a screen reader would.
  await page.waitForURL(url => url.pathname === '/account/login');
  steps.push('login page');
  await page.getByLabel('User name or email').fill(env.PHR_USERNAME);
  await page.getByLabel('Password').fill(env.PHR_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.getByRole('heading', { name: 'Allow this app?' }).waitFor();
  steps.push('consent page');
  await page.getByRole('button', { name: 'Allow' }).click();

  await page.waitForURL(url => url.pathname === '/index.html');
  steps.push('back in the app');
  await page.waitForFunction(() => document.getElementById('result')?.textContent.length > 0);
  const result = JSON.parse(await page.textContent('#result'));
  console.log('RESULT ' + JSON.stringify({ steps, ...result }));
  exitCode = result.error ? 1 : 0;
} catch (error) {
  console.log('RESULT ' + JSON.stringify({ steps, error: String(error && error.message || error) }));
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
