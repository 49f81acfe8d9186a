// Reads a Jitsi Meet page's state for meetbridge's Jitsi client. Every selector and
// text the client relies on is here or in client.py (facts: docs/vendors/jitsi.md).
() => {
  const visible = (selector) => {
    const element = document.querySelector(selector);
    return !!element && element.offsetParent !== null;
  };
  const textOf = (selector) => {
    const element = document.querySelector(selector);
    return element && element.offsetParent !== null ? element.textContent.trim() : null;
  };
  const dialogs = [...document.querySelectorAll('[role="dialog"], .dialog, .modal')]
    .filter((d) => d.offsetParent !== null)
    .map((d) => d.textContent.replace(/\s+/g, " ").trim());
  const remotes = [];
  for (const tile of document.querySelectorAll('#remoteVideos span[id^="participant_"]')) {
    if (tile.id.endsWith("_name") || tile.offsetParent === null) continue;
    const label = document.getElementById(`${tile.id}_name`);
    const video = tile.querySelector("video");
    const box = tile.getBoundingClientRect();
    remotes.push({
      name: label ? label.textContent.trim() : "",
      hasVideo: !!video && !!video.srcObject,
      x: box.x, y: box.y, width: box.width, height: box.height,
    });
  }
  return {
    prejoin: visible('[data-testid="prejoin.screen"]'),
    knock: visible('[data-testid="lobby.knockButton"]'),
    lobby: visible(".lobby-screen") || visible('[data-testid="lobby.joiningMessage"]'),
    password: visible('input[name="lockKey"]'),
    rejected: textOf('[data-testid="lobby.joinRejectedMessage"]'),
    tokenAuthFailed: textOf('[data-testid="dialog.tokenAuthFailed"]'),
    roomFull: textOf('[data-testid="dialog.maxUsersLimitReached"]'),
    inConference: visible('[aria-label="Leave the meeting"]'),
    dialogs,
    remotes,
  };
}
