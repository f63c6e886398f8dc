/**
 * `GET /embed.js`: what a host page includes to show the report button,
 * `<script src="https://<api>/embed.js" data-service="t-mobile" async></script>`. It
 * reads its own element (the service, and where it was loaded from) and inserts one
 * frame of the button's page right after itself; it reads and writes nothing else of
 * the host page, sets no global and listens to nothing. The frame's page runs on the
 * API's origin, so the host page cannot reach into the form, and the API answers only
 * pages that `reports.embedOrigins` lists with a `frame-ancestors` that lets them frame it.
 */

/**
 * The frame's size: the open form, with an error under it, fits at 320 px wide (see
 * `report-button.css`). Fixed, so the script need not listen to the frame to resize it.
 */
const FRAME_HEIGHT = "24rem";
const FRAME_MAX_WIDTH = "28rem";

const me = document.currentScript;
const service = me instanceof HTMLScriptElement ? me.dataset.service : undefined;
if (me instanceof HTMLScriptElement && service) {
  const frame = document.createElement("iframe");
  // Resolved against the script's own address, so the frame comes from the same API.
  frame.src = new URL(`embed/report?service=${encodeURIComponent(service)}`, me.src).href;
  frame.title = "Report a problem (outcry)";
  // Nothing of the host page's address goes to the API.
  frame.referrerPolicy = "no-referrer";
  // The button needs its scripts, its own origin (same-origin requests) and its form;
  // it may not navigate the host page or open windows.
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
  frame.loading = "lazy";
  frame.style.border = "0";
  frame.style.width = "100%";
  frame.style.maxWidth = FRAME_MAX_WIDTH;
  frame.style.height = FRAME_HEIGHT;
  me.after(frame);
} else {
  console.error(
    'outcry embed.js: give the script the service to report on, e.g. data-service="t-mobile"',
  );
}
