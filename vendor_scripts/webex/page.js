// Reads one document of a Webex page for meetbridge's Webex client: the top page (the
// "join from this browser" chooser, where the web client's frame sits) or the web
// client's own document inside that frame. Every selector and text the client relies
// on is here or in client.py (facts: docs/vendors/webex.md).
(ownName) => {
  const visible = (element) => !!element && element.offsetParent !== null;
  const find = (selector) => document.querySelector(selector);
  const field = (selector) => (visible(find(selector)) ? find(selector).value : null);
  const text = document.body ? document.body.innerText.replace(/\s+/g, " ") : "";
  const chooser = ["#broadcom-center-right", "#push_download_join_by_browser", "a#push_download_detect_link"]
    .find((selector) => visible(find(selector))) || null;
  const frameSelector = ["#unified-webclient-iframe", 'iframe[name="thinIframe"]']
    .find((selector) => find(selector)) || null;
  const frame = frameSelector ? find(frameSelector) : null;
  const frameBox = frame ? frame.getBoundingClientRect() : null;
  const remotes = [];
  for (const pane of document.querySelectorAll('[data-test$="-video-pane-container"]')) {
    if (!visible(pane) || pane.querySelector('[data-test="local_stream"]')) continue;
    const label = pane.querySelector('[data-test="participant-name"]');
    const name = label ? label.textContent.trim() : "";
    if (name === ownName) continue;
    const video = pane.querySelector("video");
    const box = pane.getBoundingClientRect();
    remotes.push({ name, hasVideo: !!video && !!video.srcObject, x: box.x, y: box.y, width: box.width, height: box.height });
  }
  const join = find('mdc-button[data-test="join-button"]');
  const microphone = find('mdc-button[data-test="microphone-button"]');
  const camera = find('mdc-button[data-test="camera-button"]');
  return {
    text: text.slice(0, 2000),
    dialog: [...document.querySelectorAll('.md-modal, [role="dialog"][aria-modal="true"]')]
      .filter(visible).map((d) => d.textContent.replace(/\s+/g, " ").trim()).join(" | ") || null,
    chooser,
    frameSelector,
    frameOffset: frameBox ? { x: frameBox.x + frame.clientLeft, y: frameBox.y + frame.clientTop } : null,
    problemDialog: visible(find(".el-dialog__wrapper .el-dialog__close")),
    cookieBanner: visible(find(".cookie-banner-body button")),
    passwordField: field('input[aria-label="Meeting password"]'),
    captcha: visible(find('img[alt="Captcha image"]')),
    nameField: field('input[data-test="Name (required)"]'),
    emailField: field('input[data-test="Email (required)"]'),
    microphoneOff: visible(microphone) && microphone.getAttribute("aria-label") === "Unmute",
    cameraOff: visible(camera) && camera.getAttribute("aria-label") === "Start video",
    joinEnabled: visible(join) && !join.hasAttribute("disabled"),
    lobby: visible(find('[data-test="call_lobby_content"]')),
    inMeeting: visible(find('mdc-button[data-test="in-meeting-chat-toggle-button"]')),
    remotes,
  };
}
