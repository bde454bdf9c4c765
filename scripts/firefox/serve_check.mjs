// `rehearse serve` in Firefox: Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core (no browser
// download). Firefox's fake microphone (a 1 kHz tone) goes through the same path as a real one:
// getUserMedia -> AudioWorklet -> WebSocket -> the server's session WAV. A tone is not speech, so the page
// must end with the server's "no speech" message and the recording kept. Then a bundled sample is uploaded
// and its report page (the --html renderer's, its inline player allowed by hash) and History must show.
// Any console error fails the check.
//
//   apt-get install firefox-esr
//   PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix scripts/firefox
//   rehearse serve --port 8765 &
//   node scripts/firefox/serve_check.mjs http://127.0.0.1:8765
import puppeteer from "puppeteer-core";

const url = process.argv[2] || "http://127.0.0.1:8765";
const browser = await puppeteer.launch({
  browser: "firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: true,
  extraPrefsFirefox: {"media.navigator.streams.fake": true, "media.navigator.permission.disabled": true},
});
const errors = [];
const fail = (text) => { console.error("FAIL: " + text); process.exitCode = 1; };
try {
  const page = await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  console.log("browser:", await browser.version());
  await page.goto(url + "/");
  await page.type("#own", "Tell me about a time you tested in Firefox.");
  await page.select("#prep", "0");
  await page.click("#start");
  await page.waitForSelector("#record:not([hidden])");
  await page.waitForFunction(() => document.getElementById("elapsed").textContent >= "0:04", {timeout: 30000});
  const level = await page.$eval("#meter", (m) => m.value);
  console.log("recording: elapsed", await page.$eval("#elapsed", (e) => e.textContent), "level", Math.round(level), "dBFS");
  if (!(level > -40)) fail("the level meter shows no sound");
  await page.click("#stop");
  await page.waitForSelector("#message:not([hidden])", {timeout: 60000});
  const said = await page.$eval("#message", (e) => e.textContent);
  console.log("after Stop:", said);
  if (!/no speech/.test(said) || !/kept in the session folder/.test(said)) fail("expected the no-speech message");
  // an answer uploaded, then its report (the renderer's page, its inline player allowed by hash)
  await page.goto(url + "/upload");
  const input = await page.$("#file");
  await input.uploadFile(new URL("../../audio/we_answer.wav", import.meta.url).pathname);
  await page.waitForFunction(() => location.pathname.startsWith("/report/"), {timeout: 180000});
  const words = await page.$$eval(".transcript .w", (els) => els.length);
  const audio = await page.$eval("audio.recording", (a) => a.getAttribute("src"));
  console.log("report:", page.url(), words, "words, recording", audio);
  if (words < 50 || !audio) fail("the report page is incomplete");
  await page.goto(url + "/history");
  const rows = await page.$$eval(".sessions-table tbody tr", (els) => els.length);
  console.log("/history:", rows, "session(s)");
  if (rows < 1) fail("the history page lists no session");
} finally {
  await browser.close();
}
if (errors.length) fail("console errors: " + JSON.stringify(errors));
console.log(process.exitCode ? "Firefox check FAILED" : "Firefox check passed");
