// Reads a Google Meet page's state for meetbridge's Meet client. Every selector and
// text the client relies on is here or in client.py (facts: docs/vendors/google_meet.md).
() => {
  const visible = (element) => !!element && element.offsetParent !== null;
  const pageText = document.body ? document.body.innerText.replace(/\s+/g, " ") : "";
  const dialog = [...document.querySelectorAll('div[role="dialog"]')].find(visible);
  const joinButton = [...document.querySelectorAll("button")].find(
    (b) => visible(b) && /^(Ask to join|Ask to join anyway|Join now|Join the call now|Join anyway|Join here too|Switch here)$/.test(b.textContent.trim()),
  );
  const nameField = document.querySelector('input[type="text"][aria-label="Your name"]');
  const ended = document.querySelector(".roSPhc");
  const remotes = [];
  for (const tile of document.querySelectorAll("[data-participant-id]")) {
    if (!visible(tile) || tile.hasAttribute("data-self-name")) continue;
    const label = tile.querySelector("span.notranslate");
    const video = tile.querySelector("video");
    const box = tile.getBoundingClientRect();
    remotes.push({
      name: label ? label.textContent.trim() : "",
      hasVideo: !!video && !!video.srcObject,
      x: box.x, y: box.y, width: box.width, height: box.height,
    });
  }
  const microphoneOff = visible(document.querySelector('[aria-label="Turn on microphone"]'));
  const cameraOff = visible(document.querySelector('[aria-label="Turn on camera"]'));
  return {
    text: pageText.slice(0, 2000),
    dialog: dialog ? dialog.textContent.replace(/\s+/g, " ").trim() : null,
    nameField: visible(nameField) ? nameField.value : null,
    joinButton: joinButton ? joinButton.textContent.trim() : null,
    microphoneOff,
    cameraOff,
    ended: visible(ended) ? ended.textContent.trim() : null,
    signIn: !!document.querySelector("h1") && /^Sign in$/.test(document.querySelector("h1").textContent.trim())
      && pageText.includes("Google Account"),
    leaveButton: visible(document.querySelector('button[aria-label="Leave call"]')),
    remotes,
  };
}
