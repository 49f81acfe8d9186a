// Reads a Microsoft Teams page's state for meetbridge's Teams client. Every selector and
// text the client relies on is here or in client.py (facts: docs/vendors/teams.md).
(ownName) => {
  const visible = (element) => !!element && element.offsetParent !== null;
  const find = (selector) => document.querySelector(selector);
  const text = document.body ? document.body.innerText.replace(/\s+/g, " ") : "";
  const joinButton = find('[data-tid="prejoin-join-button"]');
  const continueButton = [...document.querySelectorAll("button")].find(
    (b) => visible(b) && (b.matches('[data-tid="joinOnWeb"]') ||
      /^(Continue on this browser|Join on this browser|Join from browser)$/.test(b.textContent.trim()) ||
      ["Join meeting from this browser", "Continue on this browser", "Join on this browser"].includes(b.getAttribute("aria-label"))),
  );
  const nameField = find('[data-tid="prejoin-display-name-input"]');
  const switchOff = (tid) => {
    const toggle = find(`[data-tid="${tid}"]`);
    return visible(toggle) && toggle.getAttribute("aria-checked") === "false";
  };
  const remotes = [];
  for (const tile of document.querySelectorAll('[data-stream-type="Video"][data-tid]')) {
    const name = tile.getAttribute("data-tid");
    if (!visible(tile) || name === ownName) continue;
    const video = tile.querySelector("video");
    const box = tile.getBoundingClientRect();
    remotes.push({ name, hasVideo: !!video && !!video.srcObject, x: box.x, y: box.y, width: box.width, height: box.height });
  }
  const hangup = find('#hangup-button, [data-tid="hangup-main-btn"], [data-inp="hangup-button"]');
  return {
    text: text.slice(0, 2000),
    continueButton: !!continueButton,
    nameField: visible(nameField) ? nameField.value : null,
    joinEnabled: visible(joinButton) && !joinButton.disabled,
    joinVisible: visible(joinButton),
    microphoneOff: switchOff("toggle-mute"),
    cameraOff: switchOff("toggle-video"),
    captcha: visible(find('[data-tid="HIP-Captcha-Image"]')),
    signInForm: visible(find('input[name="loginfmt"]')),
    removed: visible(find("#calling-retry-screen-title")) ? find("#calling-retry-screen-title").textContent.trim() : null,
    inCall: visible(hangup) && !hangup.disabled,
    remotes,
  };
}
