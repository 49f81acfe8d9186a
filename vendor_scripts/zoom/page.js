// Reads a Zoom web client page's state for meetbridge's Zoom client. Every selector and
// text the client relies on is here or in client.py (facts: docs/vendors/zoom.md).
(ownName) => {
  const visible = (element) => !!element && element.offsetParent !== null;
  const find = (selector) => document.querySelector(selector);
  const text = document.body ? document.body.innerText.replace(/\s+/g, " ") : "";
  const field = (selector) => (visible(find(selector)) ? find(selector).value : null);
  const join = find("button.preview-join-button");
  const remotes = [];
  for (const tile of document.querySelectorAll(".video-avatar__avatar")) {
    const label = tile.querySelector(".video-avatar__avatar-footer span");
    const name = label ? label.textContent.trim() : "";
    if (!visible(tile) || name === ownName) continue;
    const video = tile.querySelector("video");
    const box = tile.getBoundingClientRect();
    remotes.push({ name, hasVideo: !!video && !!video.srcObject, x: box.x, y: box.y, width: box.width, height: box.height });
  }
  const audio = find("#preview-audio-control-button");
  const video = find("#preview-video-control-button");
  return {
    text: text.slice(0, 2000),
    modal: [...document.querySelectorAll(".zm-modal, .zm-modal-legacy, .ReactModal__Content")]
      .filter(visible).map((m) => m.textContent.replace(/\s+/g, " ").trim()).join(" | ") || null,
    passcodeField: field("#input-for-pwd"),
    nameField: field("#input-for-name"),
    joinEnabled: visible(join) && !join.classList.contains("disabled") && !join.disabled,
    joinVisible: visible(join),
    microphoneOff: visible(audio) && audio.getAttribute("aria-label") === "Unmute",
    cameraOff: visible(video) && video.getAttribute("aria-label") === "Start Video",
    inMeeting: visible(find('button[aria-label="Leave"]')) && !visible(join),
    remotes,
  };
}
