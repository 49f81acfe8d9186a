// meetbridge: nobody reads a bot page's chatty console, yet Playwright receives and
// serialises every message (web clients log on every event). Warnings and errors
// still come through; debug/info/log are dropped in the page.
(() => {
  if (window.__meetbridgeQuietConsole) return;
  window.__meetbridgeQuietConsole = true;
  const drop = () => {};
  for (const level of ["debug", "log", "info", "trace"]) console[level] = drop;
})();
